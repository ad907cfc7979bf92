// Delta-query state tokens ($skiptoken and $deltatoken of a delta round): the round's query
// options and position, base64url-encoded behind an HMAC so a garbled or edited token is refused
// instead of being misread (concepts/delta-query-overview.md, "State tokens": opaque to clients,
// they encode the options of the initial request). Pure; no I/O.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { GraphHttpError } from '../errors.ts';

/** Where a round stopped: `c` is the key of the last object emitted (a creation seq in the
 * first round, an index into the change list in later rounds); when that object's relation
 * entries did not all fit, `pid` names it and `pm` is the last entry sent ('members/<id>'). */
export interface DeltaCursor {
  c: number;
  pid?: string;
  pm?: string;
}

export interface DeltaState {
  /** The collection path the token belongs to ('users', 'groups', …). */
  k: string;
  /** $select of the initial request, relations included. */
  s?: string[];
  /** Relations asked for through $expand (groups: members). */
  x?: string[];
  /** Object ids from `$filter=id eq '…' or …`, lowercase. */
  f?: string[];
  /** Initial round: enumerate every current object instead of replaying changes. */
  i?: 1;
  /** Changes with a seq above this are reported. */
  b: number;
  /** The round's end: Directory.currentSeq when the round began (set on skip tokens). */
  r?: number;
  p?: DeltaCursor;
  /** Emulator time the token was issued, for the 7-day lifetime. */
  t: number;
}

const MAC_BYTES = 16;

function mac(key: Buffer, payload: Buffer): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);
}

export function encodeDeltaToken(state: DeltaState, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(state), 'utf8');
  return Buffer.concat([mac(key, payload), payload]).toString('base64url');
}

/** The service's words for a token it cannot read are not documented; this message is ours. */
export const invalidDeltaToken = (token: string) =>
  new GraphHttpError(400, 'Request_BadRequest', `The delta or skip token '${token.slice(0, 40)}' is not valid. Start a new round without a token.`);

function isState(v: unknown): v is DeltaState {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const strings = (x: unknown) => x === undefined || (Array.isArray(x) && x.every((e) => typeof e === 'string'));
  return typeof o.k === 'string' && typeof o.b === 'number' && typeof o.t === 'number' && strings(o.s) && strings(o.x) && strings(o.f);
}

export function decodeDeltaToken(token: string, key: Buffer): DeltaState {
  const raw = Buffer.from(token, 'base64url');
  if (raw.length <= MAC_BYTES) throw invalidDeltaToken(token);
  const given = raw.subarray(0, MAC_BYTES);
  const payload = raw.subarray(MAC_BYTES);
  if (!timingSafeEqual(given, mac(key, payload))) throw invalidDeltaToken(token);
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    throw invalidDeltaToken(token);
  }
  if (!isState(parsed)) throw invalidDeltaToken(token);
  return parsed;
}

/** An expired token: concepts/delta-query-overview.md ("Token duration": seven days for
 * directory objects; "a 40X-series error with error codes such as syncStateNotFound") and
 * concepts/errors.md (syncStateNotFound: "The delta token is expired and data must be
 * synchronized again."). */
export const expiredDeltaToken = () =>
  new GraphHttpError(400, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.');
