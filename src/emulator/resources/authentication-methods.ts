// A user's Temporary Access Pass: create (the pass is shown once), list, get and delete.
// Pure over the runtime; no I/O.
// Pages: api-reference/v1.0/api/authentication-post-temporaryaccesspassmethods.md (201; one
// usable pass per user, a new one replaces it; lifetime 10–43200 minutes, default from the policy),
// authentication-list-temporaryaccesspassmethods.md, temporaryaccesspassauthenticationmethod-get.md,
// temporaryaccesspassauthenticationmethod-delete.md (204),
// resources/temporaryaccesspassauthenticationmethod.md (isUsable, methodUsabilityReason).

import { randomInt } from 'node:crypto';
import { badRequest, notFound } from '../errors.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import type { Entity, Stored } from '../store/collection.ts';
import type { Directory } from '../store/directory.ts';
import type { App, Ctx } from '../http/env.ts';
import { route } from '../http/route.ts';
import { readJson } from './entity-set.ts';
import { ensurePolicyDefaults } from './policies.ts';

/** Passes by user id. Kept beside the directory rather than in it: they are credentials, never
 * part of a snapshot. */
const passes = new WeakMap<Directory, Map<string, Entity>>();

function passesOf(dir: Directory): Map<string, Entity> {
  let map = passes.get(dir);
  if (!map) passes.set(dir, (map = new Map()));
  return map;
}

const PASS_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%&*+=?';

function newPass(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += PASS_ALPHABET.charAt(randomInt(PASS_ALPHABET.length));
  return out;
}

function tapPolicy(rt: EmulatorRuntime): Record<string, unknown> {
  ensurePolicyDefaults(rt.dir);
  const configs = (rt.dir.singletons.authenticationMethodsPolicy.authenticationMethodConfigurations ?? []) as Entity[];
  return configs.find((m) => m.id === 'TemporaryAccessPass') ?? {};
}

/** isUsable and methodUsabilityReason as of now (temporaryaccesspassauthenticationmethod.md). */
function usability(rt: EmulatorRuntime, pass: Entity): { isUsable: boolean; methodUsabilityReason: string } {
  const now = rt.clock.now();
  const start = Date.parse(String(pass.startDateTime));
  const end = start + Number(pass.lifetimeInMinutes) * 60_000;
  if (tapPolicy(rt).state !== 'enabled') return { isUsable: false, methodUsabilityReason: 'DisabledByPolicy' };
  if (now < start) return { isUsable: false, methodUsabilityReason: 'NotYetValid' };
  if (now >= end) return { isUsable: false, methodUsabilityReason: 'Expired' };
  return { isUsable: true, methodUsabilityReason: 'EnabledByPolicy' };
}

function findUser(rt: EmulatorRuntime, c: Ctx): Stored {
  const id = c.req.param('id') ?? '';
  const stored = rt.dir.get('users', id) ?? rt.dir.collections.users.all().find((s) => String(s.data.userPrincipalName ?? '').toLowerCase() === id.toLowerCase());
  if (!stored || stored.visibleAt > rt.clock.now()) throw notFound(id);
  return stored;
}

function view(rt: EmulatorRuntime, pass: Entity): Record<string, unknown> {
  const { '@odata.type': type, ...rest } = pass;
  return { '@odata.type': type, ...rest, temporaryAccessPass: null, ...usability(rt, pass) };
}

export function registerAuthenticationMethods(app: App, rt: EmulatorRuntime): void {
  const base = '/users/:id/authentication/temporaryAccessPassMethods';
  const opts = { need: 'tapWrite' } as const;
  const ctx = (c: Ctx, version: ApiVersion, userId: string, entity: boolean) =>
    `${new URL(c.req.url).origin}/${version}/$metadata#users('${userId}')/authentication/temporaryAccessPassMethods${entity ? '/$entity' : ''}`;

  route(app, rt, 'POST', base, opts, async (c, version) => {
    const user = findUser(rt, c);
    const body = await readJson(c);
    const policy = tapPolicy(rt);
    const lifetime = body.lifetimeInMinutes ?? policy.defaultLifetimeInMinutes ?? 60;
    if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < 10 || lifetime > 43200) {
      throw badRequest(`Invalid value specified for property 'lifetimeInMinutes': '${String(lifetime)}'. It must be between 10 and 43200.`);
    }
    // A multi-use pass needs the policy to allow one (the isUsableOnce property description).
    const isUsableOnce = body.isUsableOnce ?? policy.isUsableOnce ?? false;
    if (isUsableOnce === false && policy.isUsableOnce === true) throw badRequest('The Temporary Access Pass policy allows one-time passes only; set isUsableOnce to true.');
    let start = rt.clock.iso();
    if (body.startDateTime !== undefined) {
      if (typeof body.startDateTime !== 'string' || Number.isNaN(Date.parse(body.startDateTime))) throw badRequest("Invalid value specified for property 'startDateTime'.");
      start = new Date(body.startDateTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    const pass: Entity = {
      '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
      id: rt.idSource(),
      createdDateTime: rt.clock.iso(),
      startDateTime: start,
      lifetimeInMinutes: lifetime,
      isUsableOnce,
    };
    // One pass per user: the new one replaces the old (authentication-post-temporaryaccesspassmethods.md).
    passesOf(rt.dir).set(user.data.id.toLowerCase(), pass);
    const secret = newPass(Number(policy.defaultLength ?? 8));
    return c.json({ '@odata.context': ctx(c, version, user.data.id, true), ...view(rt, pass), temporaryAccessPass: secret }, 201);
  });

  route(app, rt, 'GET', base, opts, (c, version) => {
    const user = findUser(rt, c);
    const pass = passesOf(rt.dir).get(user.data.id.toLowerCase());
    return c.json({ '@odata.context': ctx(c, version, user.data.id, false), value: pass ? [view(rt, pass)] : [] });
  });

  const one = (c: Ctx): { user: Stored; pass: Entity } => {
    const user = findUser(rt, c);
    const pass = passesOf(rt.dir).get(user.data.id.toLowerCase());
    const pid = c.req.param('pid') ?? '';
    if (!pass || pass.id !== pid.toLowerCase()) throw notFound(pid);
    return { user, pass };
  };

  route(app, rt, 'GET', `${base}/:pid`, opts, (c, version) => {
    const { user, pass } = one(c);
    return c.json({ '@odata.context': ctx(c, version, user.data.id, true), ...view(rt, pass) });
  });

  route(app, rt, 'DELETE', `${base}/:pid`, opts, (c) => {
    const { user } = one(c);
    passesOf(rt.dir).delete(user.data.id.toLowerCase());
    return c.body(null, 204);
  });
}
