// The emulated tenant: every collection, relation, recycle bin and the change log that delta
// queries read. Pure in-memory state; handlers in ../resources/ give it Graph's HTTP shape.

import { Collection, type Entity, type Stored } from './collection.ts';
import { LinkSet } from './links.ts';

export type CollectionName =
  | 'users'
  | 'groups'
  | 'applications'
  | 'servicePrincipals'
  | 'appRoleAssignments'
  | 'oauth2PermissionGrants'
  | 'conditionalAccessPolicies'
  | 'namedLocations';

export const COLLECTIONS: readonly CollectionName[] = [
  'users',
  'groups',
  'applications',
  'servicePrincipals',
  'appRoleAssignments',
  'oauth2PermissionGrants',
  'conditionalAccessPolicies',
  'namedLocations',
];

/** Collections whose members are directory objects (addressable as /directoryObjects/{id}). */
export const DIRECTORY_OBJECT_COLLECTIONS: readonly CollectionName[] = ['users', 'groups', 'applications', 'servicePrincipals'];

export type LinkName = 'members' | 'owners' | 'sponsors' | 'manager';
export const LINK_NAMES: readonly LinkName[] = ['members', 'owners', 'sponsors', 'manager'];

export type SingletonName = 'authenticationMethodsPolicy' | 'authorizationPolicy';

/** What a soft or hard delete took away, so a restore can give it back. */
export interface DeletedRecord {
  collection: CollectionName;
  stored: Stored;
  deletedAt: number;
  links: Record<LinkName, { outgoing: string[]; incoming: string[] }>;
}

/** One entry of the change log; delta queries replay the entries after their token's seq. */
export interface Change {
  seq: number;
  collection: CollectionName;
  id: string;
  /** upsert: created, changed or restored; removed: soft-deleted (restorable);
   * purged: hard-deleted or permanently deleted; link: a relation of `id` changed. */
  kind: 'upsert' | 'removed' | 'purged' | 'link';
  link?: { name: LinkName; target: string; removed: boolean };
  /** On an upsert from `update`: the properties the patch wrote. Absent on a create or restore,
   * so a delta query can tell an update of untracked properties from a new object. */
  properties?: string[];
}

export class Directory {
  readonly tenantId: string;
  readonly defaultDomain: string;
  readonly collections: Record<CollectionName, Collection>;
  readonly links: Record<LinkName, LinkSet>;
  readonly singletons: Record<SingletonName, Entity>;
  /** /directory/deletedItems: soft-deleted users, groups, applications, service principals. */
  readonly deletedItems = new Map<string, DeletedRecord>();
  /** The beta conditional access recycle bin: deleted policies and named locations. */
  readonly caDeletedItems = new Map<string, DeletedRecord>();
  readonly changes: Change[] = [];
  private seq = 0;

  constructor(tenantId: string, defaultDomain: string) {
    this.tenantId = tenantId;
    this.defaultDomain = defaultDomain;
    this.collections = Object.fromEntries(COLLECTIONS.map((c) => [c, new Collection()])) as Record<CollectionName, Collection>;
    this.links = Object.fromEntries(LINK_NAMES.map((l) => [l, new LinkSet()])) as Record<LinkName, LinkSet>;
    this.singletons = {
      authenticationMethodsPolicy: { id: 'authenticationMethodsPolicy' },
      authorizationPolicy: { id: 'authorizationPolicy' },
    };
  }

  /** The last sequence number handed out; a delta token remembers it. */
  get currentSeq(): number {
    return this.seq;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  get(collection: CollectionName, id: string): Stored | undefined {
    return this.collections[collection].get(id);
  }

  /** A directory object by id in any directory-object collection. */
  findDirectoryObject(id: string): { collection: CollectionName; stored: Stored } | undefined {
    for (const collection of DIRECTORY_OBJECT_COLLECTIONS) {
      const stored = this.collections[collection].get(id);
      if (stored) return { collection, stored };
    }
    return undefined;
  }

  insert(collection: CollectionName, data: Entity, visibleAt = 0): Stored {
    const stored: Stored = { seq: this.nextSeq(), visibleAt, data };
    this.collections[collection].insert(stored);
    this.log(collection, data.id, 'upsert');
    return stored;
  }

  /** Adds an object without a change-log entry: for generating or loading a tenant, whose
   * contents a first delta round returns in full anyway. */
  seed(collection: CollectionName, data: Entity): Stored {
    const stored: Stored = { seq: this.nextSeq(), visibleAt: 0, data };
    this.collections[collection].insert(stored);
    return stored;
  }

  /** Adds a relation without a change-log entry (generating or loading a tenant). */
  seedLink(name: LinkName, from: string, to: string): void {
    this.links[name].add(from, to);
  }

  /** Merges `patch` into the object; a null value removes the property (stored absent). */
  update(collection: CollectionName, id: string, patch: Record<string, unknown>): Stored | undefined {
    const stored = this.collections[collection].get(id);
    if (!stored) return undefined;
    for (const [key, value] of Object.entries(patch)) {
      if (value === null || value === undefined) delete stored.data[key];
      else stored.data[key] = value;
    }
    this.log(collection, stored.data.id, 'upsert', Object.keys(patch));
    return stored;
  }

  /** Takes the object out of its collection and every relation. */
  private detach(collection: CollectionName, id: string, now: number): DeletedRecord | undefined {
    const stored = this.collections[collection].remove(id);
    if (!stored) return undefined;
    const links = {} as DeletedRecord['links'];
    for (const name of LINK_NAMES) {
      const detached = this.links[name].detach(stored.data.id);
      links[name] = detached;
      for (const source of detached.incoming) this.logLink(name, source, stored.data.id, true);
    }
    return { collection, stored, deletedAt: now, links };
  }

  softDelete(collection: CollectionName, id: string, now: number): DeletedRecord | undefined {
    const record = this.detach(collection, id, now);
    if (!record) return undefined;
    record.stored.data.deletedDateTime = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.deletedItems.set(record.stored.data.id.toLowerCase(), record);
    this.log(collection, record.stored.data.id, 'removed');
    return record;
  }

  /** Conditional access objects go to the beta recycle bin; hard-deleted from v1.0's view. */
  caDelete(collection: CollectionName, id: string, now: number): DeletedRecord | undefined {
    const record = this.detach(collection, id, now);
    if (!record) return undefined;
    record.stored.data.deletedDateTime = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.caDeletedItems.set(record.stored.data.id.toLowerCase(), record);
    this.log(collection, record.stored.data.id, 'purged');
    return record;
  }

  hardDelete(collection: CollectionName, id: string, now: number): DeletedRecord | undefined {
    const record = this.detach(collection, id, now);
    if (record) this.log(collection, record.stored.data.id, 'purged');
    return record;
  }

  /** Puts a deleted object back with the same id and its relations to objects that still exist. */
  restore(bin: Map<string, DeletedRecord>, id: string): DeletedRecord | undefined {
    const record = bin.get(id.toLowerCase());
    if (!record) return undefined;
    bin.delete(id.toLowerCase());
    const data = record.stored.data;
    delete data.deletedDateTime;
    const stored: Stored = { seq: this.nextSeq(), visibleAt: 0, data };
    this.collections[record.collection].insert(stored);
    this.log(record.collection, data.id, 'upsert');
    for (const name of LINK_NAMES) {
      for (const target of record.links[name].outgoing) if (this.exists(target)) this.links[name].add(data.id, target);
      for (const source of record.links[name].incoming) {
        if (this.exists(source) && this.links[name].add(source, data.id)) this.logLink(name, source, data.id, false);
      }
    }
    return record;
  }

  purge(bin: Map<string, DeletedRecord>, id: string): DeletedRecord | undefined {
    const record = bin.get(id.toLowerCase());
    if (!record) return undefined;
    bin.delete(id.toLowerCase());
    this.log(record.collection, record.stored.data.id, 'purged');
    return record;
  }

  /** Whether an object with this id is live in any collection. */
  exists(id: string): boolean {
    for (const c of COLLECTIONS) if (this.collections[c].has(id)) return true;
    return false;
  }

  addLink(name: LinkName, from: string, to: string): boolean {
    const added = this.links[name].add(from, to);
    if (added) this.logLink(name, from, to, false);
    return added;
  }

  removeLink(name: LinkName, from: string, to: string): boolean {
    const removed = this.links[name].remove(from, to);
    if (removed) this.logLink(name, from, to, true);
    return removed;
  }

  private log(collection: CollectionName, id: string, kind: Change['kind'], properties?: string[]): void {
    this.changes.push({ seq: this.nextSeq(), collection, id, kind, ...(properties ? { properties } : {}) });
  }

  private logLink(name: LinkName, from: string, to: string, removed: boolean): void {
    const owner = this.findDirectoryObject(from)?.collection ?? this.collectionOfDeleted(from);
    if (!owner) return;
    this.changes.push({ seq: this.nextSeq(), collection: owner, id: from, kind: 'link', link: { name, target: to, removed } });
  }

  private collectionOfDeleted(id: string): CollectionName | undefined {
    return this.deletedItems.get(id.toLowerCase())?.collection;
  }
}
