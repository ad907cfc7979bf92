// $filter for the emulator (placeholder: replaced by the full parser).
import { unsupportedQuery } from '../errors.ts';
import type { Entity } from '../store/collection.ts';

export interface FilterOptions {
  eventual: boolean;
}

export function compileFilter(expr: string, _options: FilterOptions): (e: Entity) => boolean {
  throw unsupportedQuery(`Unsupported query: ${expr}`);
}
