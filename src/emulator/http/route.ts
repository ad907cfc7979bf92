// Registers an emulator route for each API version it exists in, with the checks every Graph
// call goes through: the caller's permissions (403 Authorization_RequestDenied), the
// resource-unit cost and the throttling budgets (429), and the x-ms-resource-unit header.
// Costs: learn.microsoft.com/graph/throttling-limits ("identity and access service limits").

import { resourceUnits } from '../../graph/cost.ts';
import { forbidden } from '../errors.ts';
import { allows, type Need } from '../auth/permissions.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import { VERSIONS } from '../runtime.ts';
import type { App, Ctx } from './env.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteOptions {
  need: Need;
  /** Base resource units of a read (GET users 2, GET members 3, …; 1 otherwise). */
  cost?: number;
  /** Conditional access policies and named locations share a 1 request/s tenant limit. */
  conditionalAccess?: boolean;
  versions?: readonly ApiVersion[];
  /** A POST that only reads (directoryObjects/getByIds): charged its base cost like a GET,
   * and not counted as a write. */
  readOnly?: boolean;
}

export type Handler = (c: Ctx, version: ApiVersion) => Response | Promise<Response>;

export function route(app: App, rt: EmulatorRuntime, method: Method, path: string, options: RouteOptions, handler: Handler): void {
  for (const version of options.versions ?? VERSIONS) {
    app.on(method, `/${version}${path}`, async (c) => {
      const claims = c.get('claims');
      if (!allows(claims.roles, options.need)) throw forbidden();
      const url = new URL(c.req.url);
      const write = method !== 'GET' && !options.readOnly;
      const ru = resourceUnits(write ? method : 'GET', options.cost ?? 1, url.searchParams);
      const headers = await rt.throttle.charge({ appId: claims.appid, ru, write, conditionalAccess: options.conditionalAccess ?? false });
      rt.stats.resourceUnits += ru;
      if (write) rt.stats.writes += 1;
      c.header('x-ms-resource-unit', String(ru));
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
      return handler(c, version);
    });
  }
}
