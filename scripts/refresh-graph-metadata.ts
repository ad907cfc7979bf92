// Re-downloads the Microsoft Graph metadata the conformance check reads (test/conformance/):
// each file of test/conformance/metadata/sources.json at the newest commit of its repository's
// default branch, gzip-compressed, and records that commit. Needs network access to GitHub,
// which CI lacks, so it is run by hand and its result reviewed and committed like code:
//   node scripts/refresh-graph-metadata.ts
// Does I/O (network, files).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const DIR = join(import.meta.dirname, '..', 'test', 'conformance', 'metadata');
const SOURCES = join(DIR, 'sources.json');

interface Source {
  file: string;
  repository: string;
  path: string;
  commit: string;
}

async function get(url: string): Promise<Response> {
  const res = await fetch(url, { headers: { 'user-agent': 'entra-gitops refresh-graph-metadata' } });
  if (!res.ok) throw new Error(`Could not download ${url} because GitHub answered ${res.status}.`);
  return res;
}

const sources = JSON.parse(readFileSync(SOURCES, 'utf8')) as { note: string; files: Source[] };
const heads = new Map<string, string>();
for (const source of sources.files) {
  // One commit per repository, so files of one repository always come from the same tree.
  let commit = heads.get(source.repository);
  if (commit === undefined) {
    const repo = (await (await get(`https://api.github.com/repos/${source.repository}`)).json()) as { default_branch: string };
    commit = ((await (await get(`https://api.github.com/repos/${source.repository}/commits/${repo.default_branch}`)).json()) as { sha: string }).sha;
    heads.set(source.repository, commit);
  }
  const body = Buffer.from(await (await get(`https://raw.githubusercontent.com/${source.repository}/${commit}/${source.path}`)).arrayBuffer());
  // Level 9 and no name or time in the header: the same file compresses to the same bytes.
  writeFileSync(join(DIR, source.file), gzipSync(body, { level: 9 }));
  console.log(`${source.file}: ${source.repository} ${source.path} @ ${commit} (${body.length} bytes)`);
  source.commit = commit;
}
writeFileSync(SOURCES, `${JSON.stringify(sources, null, 2)}\n`);
