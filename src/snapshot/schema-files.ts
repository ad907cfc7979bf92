// Reads the generated schemas shipped in the package's schemas/ folder, for the validator.
// Does I/O (reads files, once each).

import { readFileSync } from 'node:fs';
import { SnapshotValidator } from './validate.ts';

const SCHEMAS_URL = new URL('../../schemas/', import.meta.url);

/** The parsed schema, or undefined when the file does not exist. */
export function readSchema(fileName: string, dir: URL = SCHEMAS_URL): object | undefined {
  if (!/^[A-Za-z0-9-]+\.schema\.json$/.test(fileName)) return undefined;
  try {
    return JSON.parse(readFileSync(new URL(fileName, dir), 'utf8')) as object;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

let shared: SnapshotValidator | undefined;

/** One validator over the shipped schemas, shared by the whole process (compiled once). */
export function defaultValidator(): SnapshotValidator {
  shared ??= new SnapshotValidator((name) => readSchema(name));
  return shared;
}
