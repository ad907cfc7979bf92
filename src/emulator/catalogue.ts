// Declared properties of Graph types (placeholder until the generated catalogue lands).
import type { ApiVersion } from './runtime.ts';

export function declaredProperties(_type: string, _version: ApiVersion): ReadonlySet<string> | undefined {
  return undefined;
}
