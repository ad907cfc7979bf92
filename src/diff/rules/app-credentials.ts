// Security rule: a new or changed credential on an application, service principal or agent
// identity type — client secrets (passwordCredentials), certificates (keyCredentials) and
// federated identity credentials where a file carries them. A credential is a way to sign in
// as the app with every permission it holds. Pure.
// api-reference/v1.0/resources/passwordcredential.md, keycredential.md (keyId identifies one),
// federatedidentitycredential.md (id, name).

import type { Change, KindName, SecurityFinding } from '../../model/types.ts';
import { canonicalJson } from '../../snapshot/normalize.ts';
import { canonicalValue } from '../compare.ts';
import type { RuleContext } from './shapes.ts';
import { finding, isRecord, prop, records, sides } from './shapes.ts';

const RULE = 'app-credentials';

const KINDS: ReadonlySet<KindName> = new Set(['application', 'servicePrincipal', 'agentIdentityBlueprint', 'agentIdentityBlueprintPrincipal', 'agentIdentity']);

const CREDENTIALS = [
  { property: 'passwordCredentials', noun: 'client secret' },
  { property: 'keyCredentials', noun: 'certificate' },
  { property: 'federatedIdentityCredentials', noun: 'federated credential' },
] as const;

/** How a credential is told apart from its siblings: keyId, else id, else name, else itself. */
function identity(credential: Record<string, unknown>): string {
  for (const key of ['keyId', 'id', 'name']) {
    const v = credential[key];
    if (typeof v === 'string' && v !== '') return `${key}:${v.toLowerCase()}`;
  }
  return canonicalJson(canonicalValue(credential) ?? null);
}

function label(credential: Record<string, unknown>): string {
  const parts = [credential.displayName, credential.name, credential.hint ? `hint ${String(credential.hint)}` : undefined, credential.keyId ?? credential.id].filter((v) => typeof v === 'string' && v !== '');
  return parts.length > 0 ? `'${parts.join(' ')}'` : 'one without a name';
}

function expires(credential: Record<string, unknown>): string {
  return typeof credential.endDateTime === 'string' ? `, expires ${credential.endDateTime}` : '';
}

export function appCredentials(change: Change, ctx: RuleContext): SecurityFinding[] {
  if (!KINDS.has(change.ref.kind) || change.type === 'removed') return [];
  const { before, after } = sides(change, ctx);
  if (!after) return [];
  // On an existing object a new credential is a new way in; on a new object it comes with it.
  const severity = before ? 'high' : 'medium';
  const out: SecurityFinding[] = [];
  for (const { property, noun } of CREDENTIALS) {
    const was = new Map(records(prop(before, property)).map((c) => [identity(c), c]));
    for (const credential of records(prop(after, property))) {
      const old = was.get(identity(credential));
      if (!old) out.push(finding(RULE, severity, `New ${noun} ${label(credential)}${expires(credential)}.`));
      else if (!isRecord(old) || canonicalJson(canonicalValue(old) ?? null) !== canonicalJson(canonicalValue(credential) ?? null)) {
        out.push(finding(RULE, 'medium', `Changed ${noun} ${label(credential)}${expires(credential)}.`));
      }
    }
  }
  return out;
}
