import { describe, expect, it } from 'vitest';
import { kindByName } from '../../kinds/index.ts';
import type { KindSpec, RelationshipSpec } from '../../kinds/spec.ts';
import type { LinkTarget } from '../../model/types.ts';
import { EXPAND_CAP, listedRelationships, listedTargets, listedUrl } from './listed.ts';

const spec = (name: string) => kindByName(name as never) as KindSpec;
const rel = (kind: string, name: string) => spec(kind).relationships.find((r) => r.name === name) as RelationshipSpec;
const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `m${i}` }));

describe('listedTargets', () => {
  it('keeps the lists shorter than what Graph expands at most, and only those', () => {
    const into = new Map<string, readonly LinkTarget[]>();
    listedTargets(rel('group', 'members'), [
      { id: 'A-Small', members: ids(2) },
      { id: 'empty', members: [] },
      { id: 'nineteen', members: ids(EXPAND_CAP - 1) },
      { id: 'cut', members: ids(EXPAND_CAP) },
      { id: 'absent' },
      { id: 'not-a-list', members: { id: 'x' } },
    ], into);
    expect([...into.keys()]).toEqual(['a-small', 'empty', 'nineteen']);
    expect(into.get('a-small')).toEqual(['m0', 'm1']);
    expect(into.get('empty')).toEqual([]);
  });

  it('keeps link objects for app role assignments', () => {
    const into = new Map<string, readonly LinkTarget[]>();
    listedTargets(rel('servicePrincipal', 'appRoleAssignedTo'), [{ id: 'sp', appRoleAssignedTo: [{ id: 'a1', principalId: 'u1', principalType: 'User', appRoleId: 'r1', extra: 1 }] }], into);
    expect(into.get('sp')).toEqual([{ id: 'a1', principalId: 'u1', principalType: 'User', appRoleId: 'r1' }]);
  });
});

describe('listedUrl and listedRelationships', () => {
  it('asks for ids only, at the kind page size, with the relationship expanded and the listing filter', () => {
    expect(listedUrl(spec('group'), rel('group', 'owners'))).toBe('/groups?$select=id&$top=999&$expand=owners($select=id)');
    expect(listedUrl(spec('user'), rel('user', 'sponsors'))).toBe(`/users?$select=id&$top=999&$expand=sponsors($select=id)&$filter=${encodeURIComponent("userType eq 'Guest'")}`);
  });

  it('lists the collection relationships that declare a listing, never a single-valued one', () => {
    expect(listedRelationships(spec('user')).map((r) => r.name)).toEqual(['sponsors']);
    expect(listedRelationships(spec('servicePrincipal')).map((r) => r.name)).toEqual(['owners', 'appRoleAssignedTo']);
    // agentUser's manager comes inline with its list page ($expand=manager), not through a listing.
    expect(listedRelationships(spec('agentUser')).map((r) => r.name)).toEqual(['sponsors']);
    expect(listedRelationships(spec('agentIdentity')).map((r) => r.name)).toEqual(['owners', 'sponsors', 'appRoleAssignedTo']);
    expect(listedRelationships(spec('agentIdentityBlueprint')).map((r) => r.name)).toEqual(['owners', 'sponsors']);
    expect(listedRelationships(spec('agentIdentityBlueprintPrincipal')).map((r) => r.name)).toEqual(['owners', 'appRoleAssignedTo']);
  });

  it('lists the agent kinds through their cast segments, at their page size of 100', () => {
    expect(listedUrl(spec('agentIdentity'), rel('agentIdentity', 'sponsors'))).toBe('/servicePrincipals/microsoft.graph.agentIdentity?$select=id&$top=100&$expand=sponsors($select=id)');
    expect(listedUrl(spec('agentUser'), rel('agentUser', 'sponsors'))).toBe('/users/microsoft.graph.agentUser?$select=id&$top=100&$expand=sponsors($select=id)');
    expect(listedUrl(spec('agentIdentityBlueprintPrincipal'), rel('agentIdentityBlueprintPrincipal', 'appRoleAssignedTo'))).toBe(
      '/servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal?$select=id&$top=100&$expand=appRoleAssignedTo($select=id,principalId,principalType,appRoleId)',
    );
    expect(listedUrl(spec('agentIdentityBlueprint'), rel('agentIdentityBlueprint', 'owners'))).toBe('/applications/microsoft.graph.agentIdentityBlueprint?$select=id&$top=100&$expand=owners($select=id)');
  });
});
