// The conformance recorder: when ENTRA_GITOPS_EMULATOR_RECORD names a file, every Graph request
// that entra-gitops itself sends (its User-Agent; $batch items one by one, the envelope not) is
// appended to it as one JSON line, for the check against Microsoft's published metadata
// (test/conformance/). The test run's global setup sets it, so emulators in the test process
// and in child processes write to the same file. Does I/O (appends to that file).
import { appendFileSync } from 'node:fs';

export const RECORD_ENV = 'ENTRA_GITOPS_EMULATOR_RECORD';

/** One request as the checker reads it: where it went and the names it used, never values
 * (a body can hold a password or a secret). */
export interface RecordedRequest {
  method: string;
  version: string;
  /** The path after the version, decoded, e.g. "/users/0f3…/manager/$ref". */
  path: string;
  /** The query options the names come from, as sent. */
  query: Record<string, string>;
  /** Top-level property names of a JSON object body. */
  bodyKeys?: string[];
  /** The body's own `@odata.type`, which picks the type its properties belong to. */
  bodyType?: string;
  /** Inside a $batch. */
  batch?: boolean;
}

const TOOL_AGENT = /^entra-gitops\//;
const QUERY_OPTIONS = ['$select', '$expand', '$filter', '$orderby', '$search'];

export function recordFile(): string | undefined {
  return process.env[RECORD_ENV] || undefined;
}

/** Appends the request to the record file when there is one and the tool sent the request.
 * Never rejects: a request the recorder can't read is served all the same. */
export async function recordRequest(req: Request, batch: boolean): Promise<void> {
  const file = recordFile();
  if (file === undefined || !TOOL_AGENT.test(req.headers.get('user-agent') ?? '')) return;
  const url = new URL(req.url);
  const match = /^\/(v1\.0|beta)(\/.*)?$/.exec(url.pathname);
  if (!match) return;
  let path = match[2] ?? '/';
  try {
    path = decodeURIComponent(path);
  } catch {
    // a malformed escape is recorded as sent
  }
  if (path === '/$batch') return;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (QUERY_OPTIONS.includes(k)) query[k] = v;
  const entry: RecordedRequest = { method: req.method, version: match[1] ?? '', path, query, ...(batch ? { batch: true } : {}) };
  if (req.method !== 'GET' && req.method !== 'DELETE' && req.body !== null) {
    // A clone, so the handler still reads the body; a body that isn't a JSON object has no names.
    try {
      const body = (await req.clone().json()) as unknown;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        entry.bodyKeys = Object.keys(body);
        const type = (body as Record<string, unknown>)['@odata.type'];
        if (typeof type === 'string') entry.bodyType = type;
      }
    } catch {
      // not JSON: nothing to check by name
    }
  }
  try {
    appendFileSync(file, `${JSON.stringify(entry)}\n`);
  } catch {
    // a record file that can't be written loses the entry, not the request
  }
}
