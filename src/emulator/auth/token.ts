// Access tokens the emulator issues and checks: JWTs signed with a per-emulator HMAC key,
// carrying the application permissions as the `roles` claim as Entra's app-only tokens do
// (learn.microsoft.com/entra/identity-platform/access-token-claims-reference). Pure.

import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  oid: string;
  roles: string[];
  iat: number;
  nbf: number;
  exp: number;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signToken(claims: TokenClaims | Record<string, unknown>, key: Buffer): string {
  const head = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

/** The claims of a token this emulator signed, or undefined for anything else. */
export function verifyToken<T = TokenClaims>(token: string, key: Buffer): T | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, sig] = parts as [string, string, string];
  const expected = createHmac('sha256', key).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
