// Starting an emulator: generate or load a tenant, switch on the traffic models asked for,
// serve it over HTTPS, and save the state on stop. Does I/O; the CLI and tests call it.
import { generateTenant } from './generator.ts';
import { loadState, saveState } from './state.ts';
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
  namedLocations?: number;
  agents?: number;
  membershipsPerUser?: number;
  /** Load the tenant from this file (written by saveState / --save-state) instead of generating one. */
  state?: string;
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
  /** Writes the whole tenant to `file` (gzip when it ends in .gz); `state` loads it back. */
  saveState(file: string): Promise<void>;
  stop(): Promise<void>;
}

/** The seed of the runtime's id source after a load: a loaded tenant already holds the ids the
 * plain seed would hand out first, so continuing from it would repeat them. */
function seedAfterLoad(seed: number, seq: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ seq) >>> 0;
}

export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  const seed = options.seed ?? 7;
  let rt: EmulatorRuntime;
  if (options.state !== undefined) {
    const loaded = await loadState(options.state);
    rt = new EmulatorRuntime(loaded.dir, { seed: seedAfterLoad(seed, loaded.dir.currentSeq) });
    if (loaded.clockOffsetMs > 0) rt.clock.advance(loaded.clockOffsetMs);
  } else {
    const dir = generateTenant({
      seed,
      users: options.users ?? 200,
      ...(options.groups !== undefined ? { groups: options.groups } : {}),
      ...(options.apps !== undefined ? { apps: options.apps } : {}),
      ...(options.policies !== undefined ? { policies: options.policies } : {}),
      ...(options.namedLocations !== undefined ? { namedLocations: options.namedLocations } : {}),
      ...(options.agents !== undefined ? { agents: options.agents } : {}),
      ...(options.membershipsPerUser !== undefined ? { membershipsPerUser: options.membershipsPerUser } : {}),
    });
    rt = new EmulatorRuntime(dir, { seed });
  }
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
    saveState: (file) => saveState(rt.dir, file, { clockOffsetMs: Math.max(0, rt.clock.now() - Date.now()) }),
    stop: () => running.close(),
  };
}
