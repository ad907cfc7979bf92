// The tool's version and pinned settings, read from package.json once (recorded in snapshots and
// commit trailers). Read as a file rather than imported: package.json sits one folder above both
// src/ and the compiled dist/, outside what the compiler emits. Does I/O (one read at load).
import { readFileSync } from 'node:fs';

interface PackageJson {
  name: string;
  version: string;
  engines: { node: string };
  config: { pulumiVersion: string };
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson;

export const VERSION: string = pkg.version;

/** The name the package is published under (the workflows' default install). */
export const PACKAGE_NAME: string = pkg.name;

/** The Pulumi CLI version this release is tested with (package.json `config.pulumiVersion`). */
export const PINNED_PULUMI_VERSION: string = pkg.config.pulumiVersion;
