// Switches the traffic models of a runtime on from start options: throttling budgets, the
// latency model, fault injection and read-after-write lag. Pure; startEmulator and tests call it.
import type { EmulatorRuntime } from '../runtime.ts';
import { unlimited } from '../runtime.ts';
import { parseFaultSpec, SeededFaults, type FaultOptions } from './faults.ts';
import { SeededLatency, type LatencyOptions } from './latency.ts';
import { GraphThrottle, type ThrottleBudgets } from './throttle.ts';

export interface TrafficOptions {
  /** true: the documented budgets; an object: those budgets with some replaced (smaller ones
   * let a test reach a limit quickly); false or absent: no throttling. */
  throttling?: boolean | Partial<ThrottleBudgets>;
  /** true: the default latency model; an object: with some settings replaced. */
  latency?: boolean | Partial<Omit<LatencyOptions, 'seed'>>;
  /** A --faults spec (see traffic/faults.ts) or fault options. */
  faults?: string | Partial<Omit<FaultOptions, 'seed'>>;
  /** For this long after a create, reading the object by id answers 404. */
  readAfterWriteLagMs?: number;
}

export interface Traffic {
  throttle: GraphThrottle | undefined;
  latency: SeededLatency | undefined;
  faults: SeededFaults | undefined;
}

/** Applies the options to `rt`; every model draws from `rt.settings.seed`. */
export function configureTraffic(rt: EmulatorRuntime, options: TrafficOptions): Traffic {
  const seed = rt.settings.seed;
  const throttle = options.throttling ? new GraphThrottle(rt, options.throttling === true ? {} : options.throttling) : undefined;
  rt.throttle = throttle ?? unlimited;
  const latency = options.latency ? new SeededLatency({ ...(options.latency === true ? {} : options.latency), seed }) : undefined;
  rt.latency = latency;
  const faultOptions = typeof options.faults === 'string' ? parseFaultSpec(options.faults) : options.faults;
  const faults = faultOptions ? new SeededFaults({ ...faultOptions, seed }) : undefined;
  rt.faults = faults;
  if (options.readAfterWriteLagMs !== undefined) rt.settings.readAfterWriteLagMs = options.readAfterWriteLagMs;
  return { throttle, latency, faults };
}
