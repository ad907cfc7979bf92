// Ordering: dependencies found from what operations name, a fixed order among free ones, cycles named.
import { describe, expect, it } from 'vitest';
import { KINDS } from '../kinds/index.ts';
import type { ObjectRef, Operation, SnapshotObject } from '../model/types.ts';
import { guid, obj, op, user } from './test-helpers.ts';
import { idKey, orderOperations, PlanCycleError, refPlaceholder } from './order.ts';

function ctx(target: SnapshotObject[] = [], current: SnapshotObject[] = []) {
  const find = (side: SnapshotObject[]) => (ref: ObjectRef) => side.find((o) => o.kind === ref.kind && idKey(o.id) === idKey(ref.id));
  return { kinds: KINDS, target: find(target), current: find(current) };
}
const summary = (ops: Operation[]) => ops.map((o) => `${o.seq} ${o.action} ${o.ref.kind}${o.dependsOn ? ` after ${o.dependsOn.join(',')}` : ''}`);

describe('orderOperations', () => {
  it('free operations: births, updates, links, unlinks, deletes; kinds in registry order, deletes reversed', () => {
    const ops = [
      op('delete', 'user', guid(1)),
      op('delete', 'group', guid(2)),
      op('unlink', 'group', guid(3), { link: { name: 'members', targets: [guid(9)] } }),
      op('link', 'group', guid(3), { link: { name: 'owners', targets: [guid(8)] } }),
      op('update', 'group', guid(4), { set: { description: 'x' } }),
      op('update', 'user', guid(5), { set: { department: 'x' } }),
      op('restore', 'group', guid(6)),
      op('restore', 'user', guid(7)),
    ];
    expect(summary(orderOperations(ops, ctx()))).toEqual([
      '1 restore user',
      '2 restore group',
      '3 update user',
      '4 update group',
      '5 link group',
      '6 unlink group',
      '7 delete group',
      '8 delete user',
    ]);
  });

  it('is the same whatever order the operations come in', () => {
    const ops = [op('update', 'user', guid(1), { set: { a: 1 } }), op('update', 'user', guid(2), { set: { a: 1 } }), op('restore', 'user', guid(1)), op('link', 'group', guid(3), { link: { name: 'members', targets: [guid(1)] } })];
    expect(orderOperations(ops, ctx())).toEqual(orderOperations([...ops].reverse(), ctx()));
  });

  it('dependsOn lists direct dependencies only, by seq', () => {
    const ops = [op('link', 'group', guid(3), { link: { name: 'members', targets: [guid(1), guid(2)] } }), op('restore', 'user', guid(1)), op('restore', 'user', guid(2)), op('restore', 'group', guid(3))];
    const ordered = orderOperations(ops, ctx());
    expect(summary(ordered)).toEqual(['1 restore user', '2 restore user', '3 restore group', '4 link group after 1,2,3']);
  });

  it('a birth waits for the delete of the object holding the same userPrincipalName', () => {
    const upn = { userPrincipalName: 'ada@contoso.example' };
    const ordered = orderOperations([op('restore', 'user', guid(1)), op('delete', 'user', guid(2))], ctx([user(guid(1), upn)], [user(guid(2), { userPrincipalName: 'ADA@contoso.example' })]));
    expect(summary(ordered)).toEqual(['1 delete user', '2 restore user after 1']);
  });

  it('a placeholder makes an operation wait for the recreate it names', () => {
    const ordered = orderOperations([op('update', 'conditionalAccessPolicy', guid(5), { set: { conditions: { users: { excludeUsers: [refPlaceholder(guid(1))] } } } }), op('recreate', 'user', guid(1))], ctx());
    expect(summary(ordered)).toEqual(['1 recreate user', '2 update conditionalAccessPolicy after 1']);
  });

  it('an update that stops naming an object goes before its delete', () => {
    const current = [obj('conditionalAccessPolicy', guid(5), { conditions: { locations: { includeLocations: [guid(6)] } } }), obj('namedLocation', guid(6))];
    const ordered = orderOperations([op('delete', 'namedLocation', guid(6)), op('update', 'conditionalAccessPolicy', guid(5), { set: { conditions: null } })], ctx([], current));
    expect(summary(ordered)).toEqual(['1 update conditionalAccessPolicy', '2 delete namedLocation after 1']);
  });

  it('names the operations of a cycle', () => {
    const a = op('recreate', 'application', guid(1), { name: 'A', set: { notes: refPlaceholder(guid(2)) } });
    const b = op('recreate', 'application', guid(2), { name: 'B', set: { notes: refPlaceholder(guid(1)) } });
    const c = op('update', 'user', guid(3), { set: { department: 'x' } });
    let error: unknown;
    try {
      orderOperations([c, a, b], ctx());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlanCycleError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Could not order the recovery plan because these operations wait for each other: recreate application '(A|B)'.* → recreate application '(A|B)'.* → recreate application '\1'.*\(Hint: /);
    expect(message).not.toMatch(/user/);
  });
});
