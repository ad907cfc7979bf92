// Types shared by the emulator's HTTP layer. Pure.
import type { HttpBindings } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import type { TokenClaims } from '../auth/token.ts';

/** Set by $batch on each item it runs: the item's latency is written here, not waited out,
 * because the items of a batch are served side by side (resources/batch.ts). */
export interface BatchItemTiming {
  delayMs: number;
}

export type Env = {
  /** Present when served over a socket by @hono/node-server; absent under app.request(). */
  Bindings: (Partial<HttpBindings> & { batchItem?: BatchItemTiming }) | undefined;
  Variables: {
    claims: TokenClaims;
    requestId: string;
  };
};

export type App = Hono<Env>;
export type Ctx = Context<Env>;
