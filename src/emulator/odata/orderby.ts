// $orderby for directory objects: which properties sort by default, which only in advanced
// queries, and the comparator. Pure.
// Source: concepts/aad-advanced-queries.md, "Support for sorting by properties of Azure AD
// (directory) objects"; $filter with $orderby always needs the advanced query parameters.

import { GraphHttpError } from '../errors.ts';
import { isSubtypeOf } from '../../catalogue/catalogue.ts';
import type { ApiVersion } from '../runtime.ts';
import type { Entity } from '../store/collection.ts';

type Support = 'default' | 'advanced';

/** The documented table; subtypes (agentUser, agentIdentity, …) sort as their base type. */
const SORTABLE: ReadonlyArray<{ type: string; name: string; properties: Record<string, Support> }> = [
  { type: 'microsoft.graph.user', name: 'User', properties: { displayName: 'default', userPrincipalName: 'default', createdDateTime: 'advanced', deletedDateTime: 'advanced' } },
  { type: 'microsoft.graph.group', name: 'Group', properties: { displayName: 'default', deletedDateTime: 'advanced' } },
  { type: 'microsoft.graph.application', name: 'Application', properties: { displayName: 'advanced', createdDateTime: 'advanced', deletedDateTime: 'advanced' } },
  { type: 'microsoft.graph.servicePrincipal', name: 'ServicePrincipal', properties: { displayName: 'advanced', createdDateTime: 'advanced', deletedDateTime: 'advanced' } },
];

export interface OrderBy {
  property: string;
  descending: boolean;
}

export interface OrderByContext {
  type: string;
  version: ApiVersion;
  /** ConsistencyLevel: eventual and $count=true are both present. */
  advanced: boolean;
  /** $filter is present too. */
  filtered: boolean;
}

const unsupported = (message: string) => new GraphHttpError(400, 'Request_UnsupportedQuery', message);

/** Parses `displayName`, `displayName desc`, `a asc, b desc` and checks each against the table. */
export function parseOrderBy(raw: string, ctx: OrderByContext): OrderBy[] {
  const table = SORTABLE.find((t) => isSubtypeOf(ctx.type, t.type, ctx.version));
  const clauses = raw.split(',').map((c) => c.trim()).filter((c) => c.length > 0);
  const out: OrderBy[] = [];
  for (const clause of clauses) {
    const m = /^([A-Za-z_][\w/]*)(?:\s+(asc|desc))?$/i.exec(clause);
    if (!m) throw new GraphHttpError(400, 'BadRequest', `Invalid $orderby clause '${clause}'.`);
    const property = m[1] ?? '';
    if (table) {
      const support = table.properties[property];
      // Issue microsoftgraph/microsoft-graph-docs#20427 quotes this message for createdDateTime on User.
      if (!support) throw unsupported(`Unsupported sort property '${property}' for '${table.name}'.`);
      if (support === 'advanced' && !ctx.advanced) throw unsupported('Sorting not supported for current query.');
    }
    out.push({ property, descending: (m[2] ?? '').toLowerCase() === 'desc' });
  }
  // aad-advanced-queries.md: "Using $filter and $orderby together is supported only with advanced queries."
  // The wording is the one issue microsoftgraph/microsoft-graph-docs-contrib#4187 quotes.
  if (table && ctx.filtered && !ctx.advanced) throw unsupported('Sorting not supported for current query.');
  return out;
}

/** Strings compare without regard to case; absent values sort last. */
export function comparator(order: readonly OrderBy[]): (a: Entity, b: Entity) => number {
  return (a, b) => {
    for (const { property, descending } of order) {
      const x = a[property];
      const y = b[property];
      if (x === y) continue;
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      const c = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y, 'en', { sensitivity: 'base' }) : x < y ? -1 : x > y ? 1 : 0;
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  };
}
