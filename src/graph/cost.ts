// Resource units a Graph request costs against the identity and access throttling budgets
// (learn.microsoft.com/graph/throttling-limits, "Identity and access service limits"):
// used by the client to pace itself and by the emulator to charge. Pure.

/** Base read cost of a path: users and applications 2, members 3, transitiveMembers 5,
 * getByIds 5, anything else 1. */
export function baseReadCost(path: string): number {
  const p = path.toLowerCase().replace(/^\/(v1\.0|beta)/, '').split('?')[0] ?? '';
  if (/\/transitivemembers(\/|$)/.test(p)) return 5;
  if (/\/getbyids$/.test(p)) return 5;
  if (/\/members(\/|$)/.test(p)) return 3;
  if (/^\/(users|applications)(\/|$|\(|\?)/.test(p) || p === '/users' || p === '/applications') return 2;
  return 1;
}

/** Writes cost 1 (and one write); reads their base cost, -1 with $select, +1 with $expand,
 * -1 with $top under 20, never below 1. */
export function resourceUnits(method: string, baseCost: number, query: URLSearchParams): number {
  if (method.toUpperCase() !== 'GET') return 1;
  let ru = baseCost;
  if (query.has('$select')) ru -= 1;
  if (query.has('$expand')) ru += 1;
  const top = Number(query.get('$top'));
  if (query.has('$top') && Number.isFinite(top) && top < 20) ru -= 1;
  return Math.max(1, ru);
}

/** Conditional access policies and named locations: 1 request per second per tenant. */
export function isConditionalAccessPath(path: string): boolean {
  return /\/identity\/conditionalaccess\//i.test(path);
}
