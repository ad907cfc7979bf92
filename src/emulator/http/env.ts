// Types shared by the emulator's HTTP layer. Pure.
import type { HttpBindings } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import type { TokenClaims } from '../auth/token.ts';

export type Env = {
  /** Present when served over a socket by @hono/node-server; absent under app.request(). */
  Bindings: Partial<HttpBindings> | undefined;
  Variables: {
    claims: TokenClaims;
    requestId: string;
  };
};

export type App = Hono<Env>;
export type Ctx = Context<Env>;
