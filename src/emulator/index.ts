// Starting an emulator: generate or load a tenant, switch on the traffic models asked for,
// serve it over HTTPS, and save the state on stop. Does I/O; the CLI and tests call it.
import { generateTenant } from './generator.ts';
import { EmulatorRuntime, type ClientApp } from './runtime.ts';
import { serveEmulator, type EmulatorInfo } from './server.ts';
import type { Permission } from './auth/permissions.ts';
import { configureTraffic, type Traffic, type TrafficOptions } from './traffic/configure.ts';

export interface StartOptions extends TrafficOptions {
  port?: number;
  host?: string;
  seed?: number;
  users?: number;
  groups?: number;
  apps?: number;
  policies?: number;
  permissions?: Permission[];
  caDir?: string;
}

export interface Emulator {
  info: EmulatorInfo;
  rt: EmulatorRuntime;
  /** The traffic models switched on (throttling, latency, faults); tests script faults here. */
  traffic: Traffic;
  /** Registers another client, e.g. one with fewer permissions for a least-privilege test. */
  addClient(permissions: Permission[]): ClientApp;
  stop(): Promise<void>;
}

export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  const seed = options.seed ?? 7;
  const dir = generateTenant({
    seed,
    users: options.users ?? 200,
    ...(options.groups !== undefined ? { groups: options.groups } : {}),
    ...(options.apps !== undefined ? { apps: options.apps } : {}),
    ...(options.policies !== undefined ? { policies: options.policies } : {}),
  });
  const rt = new EmulatorRuntime(dir, { seed });
  const traffic = configureTraffic(rt, options);
  const client = rt.addClient(options.permissions);
  const running = await serveEmulator(rt, {
    client,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.caDir !== undefined ? { caDir: options.caDir } : {}),
  });
  return {
    info: running.info,
    rt,
    traffic,
    addClient: (permissions) => rt.addClient(permissions),
    stop: () => running.close(),
  };
}
