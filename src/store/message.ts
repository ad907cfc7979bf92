// The snapshot commit message: a subject with the totals, one line per kind that changed, and
// git trailers naming the tenant and the tool version. Pure.
import { StoreError } from './errors.ts';

export interface KindCounts {
  kind: string;
  added: number;
  changed: number;
  removed: number;
}

export interface SnapshotSummary {
  /** In the order the body should list them (the registry's order reads best). */
  kinds: readonly KindCounts[];
}

export interface CommitMessageOptions {
  tenantId: string;
  /** A reader knows the tenant by its domain; the id is the fallback (and is in a trailer). */
  defaultDomain?: string;
  version: string;
  /** Further trailers, after the two standard ones. */
  trailers?: Readonly<Record<string, string>>;
}

export const TENANT_TRAILER = 'Entra-Tenant-Id';
export const VERSION_TRAILER = 'Entra-Gitops-Version';

const TRAILER_KEY = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

export function counts(c: Pick<KindCounts, 'added' | 'changed' | 'removed'>): string {
  return `+${c.added} ~${c.changed} -${c.removed}`;
}

/** `Key: value` lines in git's trailer format (git interpret-trailers reads them back). */
export function formatTrailers(trailers: Readonly<Record<string, string>>): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(trailers)) {
    if (!TRAILER_KEY.test(key)) {
      throw new StoreError('bad-trailer', `Could not add the commit trailer '${key}' because a trailer key holds only letters, digits and '-'. (Hint: this is a bug in the caller.)`);
    }
    if (/[\r\n]/.test(value) || value.trim() === '') {
      throw new StoreError('bad-trailer', `Could not add the commit trailer '${key}' because its value is empty or spans lines. (Hint: this is a bug in the caller.)`);
    }
    lines.push(`${key}: ${value.trim()}`);
  }
  return lines.join('\n');
}

/** A message with trailers appended as git expects them: after one blank line, at the end. */
export function withTrailers(message: string, trailers: Readonly<Record<string, string>>): string {
  const block = formatTrailers(trailers);
  const text = message.replace(/\s+$/, '');
  return block === '' ? `${text}\n` : `${text}\n\n${block}\n`;
}

export function commitMessage(summary: SnapshotSummary, options: CommitMessageOptions): string {
  const changed = summary.kinds.filter((k) => k.added + k.changed + k.removed > 0);
  const total = changed.reduce((t, k) => ({ added: t.added + k.added, changed: t.changed + k.changed, removed: t.removed + k.removed }), {
    added: 0,
    changed: 0,
    removed: 0,
  });
  const subject = `snapshot ${options.defaultDomain ?? options.tenantId}: ${counts(total)}`;
  const width = Math.max(0, ...changed.map((k) => k.kind.length));
  const body = changed.map((k) => `${k.kind.padEnd(width)}  ${counts(k)}`).join('\n');
  const trailers = { [TENANT_TRAILER]: options.tenantId, [VERSION_TRAILER]: options.version, ...options.trailers };
  return withTrailers(body === '' ? subject : `${subject}\n\n${body}`, trailers);
}
