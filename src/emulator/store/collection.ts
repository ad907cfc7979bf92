// One collection of directory objects held in memory, in creation order, with stable paging
// cursors. Pure; no I/O.

export type Entity = Record<string, unknown> & { id: string };

export interface Stored {
  /** Creation order; a paging cursor is the last seq a page returned, so inserts and deletes
   * between pages neither repeat nor skip the objects that stayed. */
  seq: number;
  /** Emulator time before which a read by id still answers 404 (read-after-write lag). */
  visibleAt: number;
  data: Entity;
}

export class Collection {
  private readonly byId = new Map<string, Stored>();
  private ordered: Stored[] | null = null;
  private changes = 0;

  /** Moves on whenever an object is inserted or removed: what was computed from the collection's
   * membership (a relation's resolved targets) is stale once it differs. */
  get version(): number {
    return this.changes;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Stored | undefined {
    return this.byId.get(id.toLowerCase());
  }

  has(id: string): boolean {
    return this.byId.has(id.toLowerCase());
  }

  insert(stored: Stored): void {
    this.changes++;
    this.byId.set(stored.data.id.toLowerCase(), stored);
    if (this.ordered) {
      const last = this.ordered[this.ordered.length - 1];
      if (!last || last.seq < stored.seq) this.ordered.push(stored);
      else this.ordered = null;
    }
  }

  remove(id: string): Stored | undefined {
    const stored = this.byId.get(id.toLowerCase());
    if (stored) {
      this.changes++;
      this.byId.delete(id.toLowerCase());
      this.ordered = null;
    }
    return stored;
  }

  /** All objects in creation order. */
  all(): readonly Stored[] {
    if (!this.ordered) this.ordered = [...this.byId.values()].sort((a, b) => a.seq - b.seq);
    return this.ordered;
  }

  /** Up to `limit` objects with seq > after that pass `keep`, and whether more remain. */
  page(after: number, limit: number, keep: (s: Stored) => boolean): { items: Stored[]; more: boolean } {
    const all = this.all();
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((all[mid] as Stored).seq <= after) lo = mid + 1;
      else hi = mid;
    }
    const items: Stored[] = [];
    for (let i = lo; i < all.length; i++) {
      const s = all[i] as Stored;
      if (!keep(s)) continue;
      if (items.length === limit) return { items, more: true };
      items.push(s);
    }
    return { items, more: false };
  }
}
