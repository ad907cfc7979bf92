// Properties that changed section (or name) between versions of the tool, and the reading of a
// file written before the change as this version writes it, so that a backup taken earlier can
// still be compared with and recovered to. Pure.
//
// - user, agentUser: mail was kept read-only; user-post-users.md and user-update.md list it as
//   settable, so it is restorable now.
// - agentIdentity: the blueprint was kept as agentIdentityBlueprintAppId among the restorable
//   properties and managerApplications among the read-only ones; beta/resources/agentidentity.md
//   and the beta metadata declare agentIdentityBlueprintId (read-only: the create sets it) and
//   no managerApplications.
import type { SnapshotObject } from '../model/types.ts';

type Section = 'properties' | 'readOnly';

interface Move {
  from: Section;
  name: string;
  /** Where it lives now; unset: no longer kept. */
  to?: { section: Section; name: string };
}

const MOVES: Readonly<Record<string, readonly Move[]>> = {
  user: [{ from: 'readOnly', name: 'mail', to: { section: 'properties', name: 'mail' } }],
  agentUser: [{ from: 'readOnly', name: 'mail', to: { section: 'properties', name: 'mail' } }],
  agentIdentity: [
    { from: 'properties', name: 'agentIdentityBlueprintAppId', to: { section: 'readOnly', name: 'agentIdentityBlueprintId' } },
    { from: 'readOnly', name: 'managerApplications' },
  ],
};

/** The object as this version would have written it: moved properties in their new place (a
 * value already there wins), dropped ones gone, redaction paths following them. Returns the
 * object itself when nothing moved. */
export function upgradeMoved(obj: SnapshotObject): SnapshotObject {
  const moves = MOVES[obj.kind];
  if (!moves || !moves.some((m) => Object.hasOwn(obj[m.from], m.name))) return obj;
  const out: SnapshotObject = { ...obj, properties: { ...obj.properties }, readOnly: { ...obj.readOnly } };
  let redacted = obj.redacted;
  for (const m of moves) {
    if (!Object.hasOwn(out[m.from], m.name)) continue;
    const value = out[m.from][m.name];
    delete out[m.from][m.name];
    const old = `${m.from}.${m.name}`;
    if (m.to) {
      if (!Object.hasOwn(out[m.to.section], m.to.name)) out[m.to.section][m.to.name] = value;
      redacted = redacted?.map((p) => (p === old || p.startsWith(`${old}.`) ? `${m.to?.section}.${m.to?.name}${p.slice(old.length)}` : p));
    } else {
      redacted = redacted?.filter((p) => p !== old && !p.startsWith(`${old}.`));
    }
  }
  if (redacted) out.redacted = redacted;
  return out;
}
