// Fault injection: seeded random server errors (500/502/503/504), connection resets and 429
// storms, plus scripted faults ("the next K requests under /users answer 503"). The same seed
// and the same request sequence give the same faults. Pure (app.ts acts on the decisions).
//
// Spec format (the CLI's --faults), comma-separated:
//   5xx=P                  probability that a request answers 500, 502, 503 or 504 (503 with Retry-After)
//   reset=P                probability that the server drops the connection without an answer
//   storm=P                probability that a request starts a 429 storm
//   storm-length=N         requests a storm answers 429, the first included (default 10)
//   storm-retry-after=S    Retry-After seconds during a storm, or `none` (default 1)
//   next=K:STATUS[:METHOD][:PATH]
//                          the next K matching requests fail; STATUS is a code, `reset`, or
//                          `429/S` (429 with Retry-After S); PATH is a prefix, with or without
//                          the version (/users, /v1.0/users); repeatable
// Example: --faults '5xx=0.02,reset=0.001,storm=0.001,storm-length=20,next=3:503:/users'

import { Rng } from '../rng.ts';
import type { FaultDecision, FaultInjector } from '../runtime.ts';

export interface FaultRule {
  /** How many matching requests fail; each match uses one up. */
  count: number;
  /** An HTTP status (400–599), or 'reset' to drop the connection; 429 answers as throttling. */
  status: number | 'reset';
  /** For 429: the Retry-After to send, in seconds; none when absent. */
  retryAfterSeconds?: number;
  /** Only requests of this method; any when absent. */
  method?: string;
  /** Only paths under this prefix, with or without the version segment; any when absent. */
  pathPrefix?: string;
}

export interface FaultOptions {
  seed: number;
  serverErrorRate: number;
  resetRate: number;
  stormRate: number;
  stormLength: number;
  /** Retry-After of storm answers; undefined sends none. */
  stormRetryAfterSeconds: number | undefined;
  rules: FaultRule[];
}

export const DEFAULT_FAULTS: Omit<FaultOptions, 'seed'> = {
  serverErrorRate: 0,
  resetRate: 0,
  stormRate: 0,
  stormLength: 10,
  stormRetryAfterSeconds: 1,
  rules: [],
};

const SERVER_ERRORS = [500, 502, 503, 504] as const;

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (!rule.pathPrefix) return true;
  const unversioned = path.replace(/^\/(v1\.0|beta)(?=\/|$)/, '');
  return path.startsWith(rule.pathPrefix) || unversioned.startsWith(rule.pathPrefix);
}

function ruleDecision(rule: FaultRule): FaultDecision {
  if (rule.status === 'reset') return { kind: 'reset' };
  if (rule.status === 429) return { kind: 'throttle', retryAfterSeconds: rule.retryAfterSeconds };
  return { kind: 'status', status: rule.status };
}

export class SeededFaults implements FaultInjector {
  readonly options: FaultOptions;
  private readonly rng: Rng;
  private readonly rules: FaultRule[];
  private stormLeft = 0;
  /** How many faults of each kind were injected (tests and benchmarks read it). */
  readonly injected = { status: 0, reset: 0, throttle: 0 };

  constructor(options: Partial<FaultOptions> & { seed: number }) {
    this.options = { ...DEFAULT_FAULTS, ...options };
    // Its own stream, so switching faults on does not change the tenant's generated ids.
    this.rng = new Rng(this.options.seed ^ 0xfa17);
    this.rules = this.options.rules.map((r) => ({ ...r }));
  }

  /** Scripts a fault: the next `rule.count` matching requests fail as the rule says. Rules are
   * tried in the order they were added, before any random fault. */
  inject(rule: FaultRule): void {
    checkRule(rule);
    this.rules.push({ ...rule });
  }

  decide(method: string, path: string): FaultDecision {
    const decision = this.pick(method, path);
    if (decision.kind !== 'none') this.injected[decision.kind] += 1;
    return decision;
  }

  private pick(method: string, path: string): FaultDecision {
    const i = this.rules.findIndex((r) => r.count > 0 && matches(r, method, path));
    const rule = this.rules[i];
    if (rule) {
      rule.count -= 1;
      if (rule.count === 0) this.rules.splice(i, 1);
      return ruleDecision(rule);
    }
    const o = this.options;
    if (this.stormLeft > 0) {
      this.stormLeft -= 1;
      return { kind: 'throttle', retryAfterSeconds: o.stormRetryAfterSeconds };
    }
    // Always two draws, whatever the outcome, so one request's fate never shifts the next's.
    const u = this.rng.next();
    const which = this.rng.next();
    if (u < o.resetRate) return { kind: 'reset' };
    if (u < o.resetRate + o.serverErrorRate) return { kind: 'status', status: SERVER_ERRORS[Math.floor(which * SERVER_ERRORS.length)] ?? 500 };
    if (u < o.resetRate + o.serverErrorRate + o.stormRate) {
      this.stormLeft = Math.max(0, o.stormLength - 1);
      return { kind: 'throttle', retryAfterSeconds: o.stormRetryAfterSeconds };
    }
    return { kind: 'none' };
  }
}

function checkRule(rule: FaultRule): void {
  if (!Number.isInteger(rule.count) || rule.count < 1) throw new Error(`Could not add the fault rule because its count ${rule.count} is not a whole number of 1 or more.`);
  if (rule.status !== 'reset' && (!Number.isInteger(rule.status) || rule.status < 400 || rule.status > 599)) {
    throw new Error(`Could not add the fault rule because status ${rule.status} is not an error status. (Hint: use 400–599 or 'reset'.)`);
  }
}

function rate(key: string, value: string): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new Error(`Could not read the fault spec because ${key}=${value} is not a probability. (Hint: a number from 0 to 1, e.g. ${key}=0.01.)`);
  return n;
}

function whole(key: string, value: string, min: number): number {
  const n = Number(value);
  if (value === '' || !Number.isInteger(n) || n < min) throw new Error(`Could not read the fault spec because ${key}=${value} is not a whole number of ${min} or more.`);
  return n;
}

function parseNext(value: string): FaultRule {
  const [count = '', status = '', ...rest] = value.split(':');
  const rule: FaultRule = { count: whole('next', count, 1), status: 'reset' };
  const throttle = /^429\/(\d+)$/.exec(status);
  if (throttle) {
    rule.status = 429;
    rule.retryAfterSeconds = Number(throttle[1]);
  } else if (status !== 'reset') {
    rule.status = Number(status);
  }
  for (const part of rest) {
    if (part.startsWith('/')) rule.pathPrefix = part;
    else if (/^(GET|POST|PATCH|PUT|DELETE)$/i.test(part)) rule.method = part.toUpperCase();
    else throw new Error(`Could not read the fault spec because '${part}' in next=${value} is neither a method nor a path. (Hint: next=K:STATUS[:METHOD][:/path].)`);
  }
  try {
    checkRule(rule);
  } catch {
    throw new Error(`Could not read the fault spec because next=${value} names no error status. (Hint: STATUS is 400–599, 'reset' or '429/SECONDS'.)`);
  }
  return rule;
}

/** Reads a --faults spec (format at the top of this file) into options. */
export function parseFaultSpec(spec: string): Omit<FaultOptions, 'seed'> {
  const out: Omit<FaultOptions, 'seed'> = { ...DEFAULT_FAULTS, rules: [] };
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? '' : item.slice(eq + 1);
    switch (key) {
      case '5xx':
        out.serverErrorRate = rate(key, value);
        break;
      case 'reset':
        out.resetRate = rate(key, value);
        break;
      case 'storm':
        out.stormRate = rate(key, value);
        break;
      case 'storm-length':
        out.stormLength = whole(key, value, 1);
        break;
      case 'storm-retry-after':
        out.stormRetryAfterSeconds = value === 'none' ? undefined : whole(key, value, 0);
        break;
      case 'next':
        out.rules.push(parseNext(value));
        break;
      default:
        throw new Error(`Could not read the fault spec because '${key}' is not a fault setting. (Hint: 5xx, reset, storm, storm-length, storm-retry-after or next.)`);
    }
  }
  return out;
}
