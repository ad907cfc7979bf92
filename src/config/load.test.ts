// Loading the configuration from a repository: optional file, read at the repository root.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTestRepos, tempDir } from '../../test/helpers/repo.ts';
import { loadConfig } from './load.ts';

afterAll(removeTestRepos);

describe('loadConfig', () => {
  it('works from the environment alone when there is no file', async () => {
    const dir = tempDir();
    const loaded = await loadConfig({ repoDir: dir, env: { ENTRA_GITOPS_GRAPH_URL: 'https://127.0.0.1:9443', ENTRA_GITOPS_GIT_PUSH: '1' } });
    expect(loaded.file).toBeUndefined();
    expect(loaded.config.git.push).toBe(true);
    expect(loaded.endpoints.graphUrl).toBe('https://127.0.0.1:9443');
  });

  it('reads entra-gitops.yaml and names it in errors', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'entra-gitops.yaml'), 'cloud: usgov\ngit: { tag: true }\n');
    const loaded = await loadConfig({ repoDir: dir, env: {}, flags: { kinds: ['user'] } });
    expect(loaded.file).toBe(join(dir, 'entra-gitops.yaml'));
    expect(loaded.config).toMatchObject({ cloud: 'usgov', kinds: ['user'], git: { tag: true } });
    expect(loaded.endpoints.graphUrl).toBe('https://graph.microsoft.us');

    writeFileSync(join(dir, 'entra-gitops.yaml'), 'git: { tags: true }\n');
    await expect(loadConfig({ repoDir: dir, env: {} })).rejects.toThrow(`Could not read ${join(dir, 'entra-gitops.yaml')}:1:8 (git.tags) because it is not a known setting`);
  });
});
