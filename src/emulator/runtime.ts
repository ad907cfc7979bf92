// The emulator's state and settings in one object: the directory, the clock, the registered
// client applications and the traffic policies (throttling, latency, faults). Pure; the HTTP
// app in app.ts and the server in server.ts are built on it.

import { randomBytes, randomUUID } from 'node:crypto';
import { Clock } from './clock.ts';
import { Rng } from './rng.ts';
import type { Directory } from './store/directory.ts';
import { PERMISSIONS, type Permission } from './auth/permissions.ts';

export type ApiVersion = 'v1.0' | 'beta';
export const VERSIONS: readonly ApiVersion[] = ['v1.0', 'beta'];

/** A client application that may ask the token endpoint for app-only tokens. */
export interface ClientApp {
  clientId: string;
  clientSecret: string;
  permissions: Permission[];
  /** Federated identity credentials: an assertion from this issuer about this subject signs
   * the app in with no secret (learn.microsoft.com/entra/workload-id/workload-identity-federation). */
  federated?: Array<{ issuer: string; subject: string }>;
}

/** GitHub Actions' OIDC issuer, which the emulator stands in for in tests of federated sign-in. */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface ChargeInput {
  appId: string;
  /** Resource units the request costs (learn.microsoft.com/graph/throttling-limits). */
  ru: number;
  write: boolean;
  /** Conditional access policies and named locations: 1 request per second per tenant. */
  conditionalAccess: boolean;
}

/** Decides whether a request fits the budgets; throws (or rejects with) a 429 GraphHttpError
 * when it does not, otherwise returns response headers to add (x-ms-throttle-limit-percentage
 * above 80%). May answer asynchronously: the counters of traffic/throttle.ts do. */
export interface Throttle {
  charge(input: ChargeInput): Record<string, string> | Promise<Record<string, string>>;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'status'; status: number }
  | { kind: 'reset' }
  | { kind: 'throttle'; retryAfterSeconds: number | undefined };

export interface FaultInjector {
  decide(method: string, path: string): FaultDecision;
}

export interface LatencyModel {
  delayMs(method: string, path: string): number;
}

export interface EmulatorSettings {
  seed: number;
  /** Lifetime of issued access tokens; a short one lets tests see a token expire mid-run. */
  tokenLifetimeSeconds: number;
  /** Delta tokens older than this answer 400 syncStateNotFound (7 days on the service). */
  deltaTokenLifetimeMs: number;
  /** For this long after a create, reading the object by id answers 404. */
  readAfterWriteLagMs: number;
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
  seed: 1,
  tokenLifetimeSeconds: 3599,
  deltaTokenLifetimeMs: 7 * 24 * 60 * 60 * 1000,
  readAfterWriteLagMs: 0,
};

export const unlimited: Throttle = { charge: () => ({}) };

export class EmulatorRuntime {
  readonly dir: Directory;
  readonly clock = new Clock();
  readonly clients = new Map<string, ClientApp>();
  readonly signingKey = randomBytes(32);
  settings: EmulatorSettings;
  /** Ids of objects created through the API come from the seed too, so a rehearsal repeats. */
  readonly rng: Rng;
  throttle: Throttle = unlimited;
  faults: FaultInjector | undefined;
  latency: LatencyModel | undefined;
  /** Counts every request the emulator received (benchmarks read it). */
  readonly stats = { requests: 0, resourceUnits: 0, writes: 0, throttled: 0 };

  constructor(dir: Directory, settings: Partial<EmulatorSettings> = {}) {
    this.dir = dir;
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    this.rng = new Rng(this.settings.seed ^ 0x5eed);
  }

  idSource(): string {
    return this.rng.guid();
  }

  /** Registers a client application; by default it holds every permission the emulator knows.
   * It gets a service principal in the tenant unless one with its appId is there already:
   * Entra issues no token to a client without one (AADSTS7000229), and an app-only token's `oid`
   * is that service principal's object id (entra-docs docs/identity-platform/access-tokens.md,
   * access-token-claims-reference.md). Only the principal is made, as for an application
   * registered in another tenant: the tool needs no application object to sign in. */
  addClient(permissions: readonly Permission[] = PERMISSIONS, clientId: string = randomUUID()): ClientApp {
    const client: ClientApp = { clientId, clientSecret: `emulator-${randomBytes(18).toString('base64url')}`, permissions: [...permissions] };
    this.clients.set(clientId, client);
    if (!this.servicePrincipalOf(clientId)) {
      this.dir.insert('servicePrincipals', {
        id: this.idSource(),
        '@odata.type': '#microsoft.graph.servicePrincipal',
        appId: clientId.toLowerCase(),
        displayName: 'entra-gitops emulator client',
        appDisplayName: 'entra-gitops emulator client',
        createdDateTime: this.clock.iso(),
        accountEnabled: true,
        servicePrincipalType: 'Application',
        servicePrincipalNames: [clientId.toLowerCase()],
        tags: [],
        appRoles: [],
        oauth2PermissionScopes: [],
        keyCredentials: [],
        passwordCredentials: [],
      });
    }
    return client;
  }

  /** The service principal of `appId` in the tenant now (a deleted one does not count). */
  servicePrincipalOf(appId: string): { id: string } | undefined {
    const key = appId.toLowerCase();
    return this.dir.collections.servicePrincipals.all().find((s) => String(s.data.appId ?? '').toLowerCase() === key)?.data;
  }

  /** Registers a client that signs in only with a GitHub Actions OIDC token for `subject`
   * (e.g. 'repo:contoso/tenant-backup:ref:refs/heads/main'), or for any of several subjects (an
   * app registration with several federated credentials); its secret is never accepted. */
  addFederatedClient(subject: string | readonly string[], permissions: readonly Permission[] = PERMISSIONS): ClientApp {
    const client = this.addClient(permissions);
    client.clientSecret = '';
    client.federated = [subject].flat().map((s) => ({ issuer: GITHUB_ISSUER, subject: s }));
    return client;
  }
}
