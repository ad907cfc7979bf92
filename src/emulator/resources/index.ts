// The registry of emulated Graph resources: each file registers its own routes.
import type { App } from '../http/env.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { registerBatch } from './batch.ts';
import { registerDelta } from './delta.ts';
import { registerUsers } from './users.ts';

export function registerResources(app: App, rt: EmulatorRuntime): void {
  // Delta first: the entity sets' /{path}/:id would otherwise answer /{path}/delta.
  registerDelta(app, rt);
  registerUsers(app, rt);
  registerBatch(app, rt);
}
