// Names in the generated program: Pulumi resource names made of a display name and a short id
// (readable, stable from one export to the next, unique), and the TypeScript variables that
// hold the resources other resources refer to. Pure.

const MAX_SLUG = 40;

/** Latin letters that Unicode normalisation does not take apart into a base letter and a mark. */
const FOLD: Readonly<Record<string, string>> = { ł: 'l', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i', ħ: 'h' };

/** Lowercase ASCII words joined by '-': accents folded, everything else a separator. Empty when
 * the text has no Latin letter or digit at all. */
export function slug(text: string, max = MAX_SLUG): string {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[łøđðþßæœıħ]/g, (c) => FOLD[c] ?? '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (folded.length <= max) return folded;
  const cut = folded.slice(0, max);
  // End on a whole word where one ends near the limit.
  const at = cut.lastIndexOf('-');
  return (at >= max / 2 ? cut.slice(0, at) : cut).replace(/-+$/, '');
}

/** The first eight letters and digits of an id, lowercase: enough to tell objects apart. */
export function shortId(id: string): string {
  return slug(id, 1000).replace(/-/g, '').slice(0, 8) || 'x';
}

/** Hands out unique names in a deterministic order: the base name when it is free, else the one
 * with the whole id, else a counter (only identical objects get that far). */
export class NameAllocator {
  private readonly used = new Set<string>();

  allocate(base: string, withWholeId: string): string {
    for (const candidate of [base, withWholeId]) {
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
    for (let n = 2; ; n++) {
      const candidate = `${withWholeId}-${n}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
  }
}

/** The resource name of an object's own resource: its display name and short id. */
export function objectName(allocator: NameAllocator, text: string, fallbackWord: string, id: string): string {
  const words = slug(text) || fallbackWord;
  return allocator.allocate(`${words}-${shortId(id)}`, `${words}-${slug(id, 1000) || 'x'}`);
}

/** The resource name of one of an object's links: the object's name, the role, the target's
 * short id (ids joined by '/', e.g. a principal and an app role, each shortened). */
export function childName(allocator: NameAllocator, parent: string, role: string, id: string): string {
  const parts = id.split('/');
  return allocator.allocate(`${parent}-${role}-${parts.map(shortId).join('-')}`, `${parent}-${role}-${parts.map((p) => slug(p, 1000) || 'x').join('-')}`);
}

/** A TypeScript variable for a resource name: the class prefix, the words in camel case, and the
 * short id after an underscore, e.g. user + fatima-novak-001efc95 → userFatimaNovak_001efc95. */
export function variableName(used: Set<string>, prefix: string, resourceName: string): string {
  const words = resourceName.split('-').filter(Boolean);
  const last = words.length > 1 ? words.pop() : undefined;
  const camel = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  const base = `${prefix}${camel}${last !== undefined ? `_${last}` : ''}`;
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
  used.add(name);
  return name;
}
