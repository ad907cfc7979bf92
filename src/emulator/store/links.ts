// A many-to-many relation (group members, owners, sponsors) with a reverse index, so that
// deleting an object removes it from every relation in time proportional to its links. Pure.

export class LinkSet {
  private readonly forward = new Map<string, Set<string>>();
  private readonly reverse = new Map<string, Set<string>>();
  private changes = 0;

  /** Moves on with every link added or removed (see Collection.version). */
  get version(): number {
    return this.changes;
  }

  /** Targets of `from`, in the order they were added. */
  targets(from: string): ReadonlySet<string> {
    return this.forward.get(from.toLowerCase()) ?? EMPTY;
  }

  /** Sources that link to `to`. */
  sources(to: string): ReadonlySet<string> {
    return this.reverse.get(to.toLowerCase()) ?? EMPTY;
  }

  has(from: string, to: string): boolean {
    return this.forward.get(from.toLowerCase())?.has(to.toLowerCase()) ?? false;
  }

  add(from: string, to: string): boolean {
    const f = from.toLowerCase();
    const t = to.toLowerCase();
    let set = this.forward.get(f);
    if (!set) this.forward.set(f, (set = new Set()));
    if (set.has(t)) return false;
    this.changes++;
    set.add(t);
    let back = this.reverse.get(t);
    if (!back) this.reverse.set(t, (back = new Set()));
    back.add(f);
    return true;
  }

  remove(from: string, to: string): boolean {
    const f = from.toLowerCase();
    const t = to.toLowerCase();
    const set = this.forward.get(f);
    if (!set?.delete(t)) return false;
    this.changes++;
    if (set.size === 0) this.forward.delete(f);
    const back = this.reverse.get(t);
    back?.delete(f);
    if (back?.size === 0) this.reverse.delete(t);
    return true;
  }

  /** Removes every link from or to `id`; returns them so a restore can put them back. */
  detach(id: string): { outgoing: string[]; incoming: string[] } {
    const key = id.toLowerCase();
    const outgoing = [...(this.forward.get(key) ?? [])];
    const incoming = [...(this.reverse.get(key) ?? [])];
    for (const t of outgoing) this.remove(key, t);
    for (const f of incoming) this.remove(f, key);
    return { outgoing, incoming };
  }

  /** Every link as [from, to] pairs, for saving state. */
  pairs(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [f, set] of this.forward) for (const t of set) out.push([f, t]);
    return out;
  }

  get size(): number {
    let n = 0;
    for (const set of this.forward.values()) n += set.size;
    return n;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
