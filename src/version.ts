// The tool's version, read from package.json once (recorded in snapshots and commit trailers).
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
