// What the generator's stages share: the seeded random source, the directory being filled, a
// fixed "generated at" instant (so dates repeat with the seed) and the objects made so far. Pure.

import type { Rng } from '../rng.ts';
import type { Entity } from '../store/collection.ts';
import type { Directory } from '../store/directory.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface GenContext {
  rng: Rng;
  dir: Directory;
  /** The instant the tenant is generated "at"; every date is drawn relative to it. */
  now: number;
  users: Entity[];
  /** Enabled member users (not guests, not agent users): owners, sponsors, role holders. */
  staff: Entity[];
  groups: Entity[];
  applications: Entity[];
  servicePrincipals: Entity[];
  namedLocations: Entity[];
  /** The tenant's "Microsoft Graph" service principal, the resource of most grants. */
  graphPrincipal: Entity | undefined;
}

/** ISO 8601 in UTC without fractional seconds, the form Graph returns. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A date `minDays`..`maxDays` before now (negative values lie in the future). */
export function daysAgo(ctx: GenContext, minDays: number, maxDays: number): number {
  const days = minDays + ctx.rng.next() * (maxDays - minDays);
  return Math.floor(ctx.now - days * DAY_MS);
}

export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`generator: index ${index} outside a list of ${items.length} (bug)`);
  return item;
}

/** Up to `n` distinct items, drawn without replacement. */
export function sample<T>(ctx: GenContext, items: readonly T[], n: number): T[] {
  const count = Math.min(n, items.length);
  if (count === 0) return [];
  if (count * 3 > items.length) {
    const copy = [...items];
    for (let i = 0; i < count; i++) {
      const j = i + ctx.rng.int(copy.length - i);
      [copy[i], copy[j]] = [at(copy, j), at(copy, i)];
    }
    return copy.slice(0, count);
  }
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(ctx.rng.int(items.length));
  return [...chosen].map((i) => at(items, i));
}

/** Random bytes from the seed, for keys and thumbprints that must repeat with it. */
export function bytes(ctx: GenContext, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = ctx.rng.int(256);
  return out;
}

/** A security identifier in the form cloud-only objects get (S-1-12-1-…). */
export function cloudSid(ctx: GenContext): string {
  const part = () => ctx.rng.int(2 ** 31);
  return `S-1-12-1-${part()}-${part()}-${part()}-${part()}`;
}

/** A mailNickname-safe form of a name: ASCII letters, digits and inner dots (user.md:
 * mailNickname; the UPN allows no accented characters). */
export function nickname(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9.]+/g, '')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .slice(0, 56);
}
