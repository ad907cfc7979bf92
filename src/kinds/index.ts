// The registry of kinds: every KindSpec the tool backs up, in the order they are read and
// written. Adding a kind touches its own file and this list, nothing else.
import type { KindName } from '../model/types.ts';
import type { KindSpec } from './spec.ts';

export const KINDS: readonly KindSpec[] = [];

export function kindByName(name: KindName): KindSpec | undefined {
  return KINDS.find((k) => k.name === name);
}
