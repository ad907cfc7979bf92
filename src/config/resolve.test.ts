// The configuration: strict parsing, schema errors that name file, line, property and fix,
// secrets refused, and the precedence flags > environment > file > defaults.
import { describe, expect, it } from 'vitest';
import { checkIdentityEnv, ConfigError, configFromEnv, parseConfigText, resolveConfig, resolveEndpoints } from './resolve.ts';
import { DEFAULTS, KIND_NAMES } from './schema.ts';

const T = '11111111-2222-3333-4444-555555555555';
const OTHER = '99999999-2222-3333-4444-555555555555';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfigText', () => {
  it('reads a full, valid file', () => {
    const text = [
      `tenantId: ${T}`,
      'cloud: usgov',
      'kinds: [user, group]',
      'snapshot: { allowShrinkPercent: 10, concurrency: 8, pageSize: 500 }',
      'redact:',
      '  user: [mobilePhone, employeeOrgData.costCenter]',
      'breakGlass: [breakglass1@contoso.example, 33333333-2222-3333-4444-555555555555]',
      'git:',
      '  author: { name: Backup Bot, email: bot@contoso.example }',
      '  tag: true',
      '  push: true',
      '  remote: upstream',
      '  branch: backups',
      'recover: { maxDestructive: 5, caReportOnly: true }',
    ].join('\n');
    expect(parseConfigText(text)).toMatchObject({ tenantId: T, cloud: 'usgov', git: { remote: 'upstream', author: { name: 'Backup Bot' } }, recover: { maxDestructive: 5 } });
    expect(parseConfigText('')).toEqual({});
    expect(parseConfigText('# only a comment\n')).toEqual({});
  });

  it.each([
    ['an unknown key, with its line', 'snapshot:\n  concurency: 4\n', /^Could not read entra-gitops\.yaml:2:3 \(snapshot\.concurency\) because it is not a known setting\. \(Hint: remove 'concurency' or fix its spelling/],
    ['a wrong type', 'git:\n  push: "yes"\n', /entra-gitops\.yaml:2:9 \(git\.push\) because must be boolean\. \(Hint: write a boolean\.\)/],
    ['an unknown kind', 'kinds: [user, gruop]\n', /\(kinds\.1\) because must be equal to one of the allowed values\. \(Hint: use one of: user, agentUser, group/],
    ['an unknown cloud', 'cloud: mars\n', /entra-gitops\.yaml:1:8 \(cloud\)/],
    ['a page size over the maximum', 'snapshot: { pageSize: 1000 }\n', /\(snapshot\.pageSize\) because must be <= 999/],
    ['a tenant that is not a GUID', 'tenantId: contoso.example\n', /\(tenantId\) because must match pattern/],
    ['an author without email', 'git: { author: { name: x } }\n', /\(git\.author\) because must have required property 'email'\. \(Hint: add 'email'\.\)/],
    ['a redaction of an unknown kind', 'redact: { usr: [mobilePhone] }\n', /\(redact/],
  ])('refuses %s', (_, text, message) => {
    const err = errorOf(() => parseConfigText(text));
    expect(err.code).toBe('invalid');
    expect(err.message).toMatch(message);
  });

  it.each([
    ['duplicate keys', 'cloud: public\ncloud: china\n', /entra-gitops\.yaml:2:1 because it is not valid YAML: .*[Dd]uplicate/],
    ['aliases', 'kinds: &k [user]\nbreakGlass: *k\n', /entra-gitops\.yaml:1:11 because it uses a YAML anchor or alias/],
    ['a syntax error', 'git: {push: true\n', /because it is not valid YAML/],
    ['a list at the top', '- user\n', /top level is not a mapping/],
  ])('refuses %s, like snapshot files', (_, text, message) => {
    expect(() => parseConfigText(text)).toThrow(message);
  });

  it('refuses a secret-looking key or value without echoing the value', () => {
    const byKey = errorOf(() => parseConfigText(`tenantId: ${T}\nclientSecret: hunter2-abc\n`, 'repo/entra-gitops.yaml'));
    expect(byKey.code).toBe('secret-in-config');
    expect(byKey.message).toMatch(/^Could not read repo\/entra-gitops\.yaml:2:1 \(clientSecret\) because the key 'clientSecret' looks like a secret.*AZURE_CLIENT_SECRET/);
    expect(byKey.message).not.toContain('hunter2');

    const value = 'abc8Q~' + 'x'.repeat(34);
    const byValue = errorOf(() => parseConfigText(`git:\n  remote: ${value}\n`));
    expect(byValue.message).toMatch(/\(git\.remote\) because its value looks like a secret \(it is not shown here\)/);
    expect(byValue.message).not.toContain(value);
    expect(() => parseConfigText('git:\n  password: x\n')).toThrow(/\(git\.password\)/);
  });
});

describe('configFromEnv', () => {
  it('maps ENTRA_GITOPS_* and a GUID AZURE_TENANT_ID, ignoring the rest', () => {
    expect(
      configFromEnv({
        AZURE_TENANT_ID: T,
        AZURE_CLIENT_SECRET: 'never-read-here',
        ENTRA_GITOPS_KINDS: 'user, group,',
        ENTRA_GITOPS_CONCURRENCY: '2',
        ENTRA_GITOPS_GIT_PUSH: 'true',
        ENTRA_GITOPS_GIT_AUTHOR_NAME: 'Bot',
        ENTRA_GITOPS_GIT_AUTHOR_EMAIL: 'bot@example.com',
      }),
    ).toEqual({ tenantId: T, kinds: ['user', 'group'], snapshot: { concurrency: 2 }, git: { push: true, author: { name: 'Bot', email: 'bot@example.com' } } });
    expect(configFromEnv({ AZURE_TENANT_ID: 'contoso.onmicrosoft.com' })).toEqual({});
  });

  it('names the variable in its errors', () => {
    expect(() => configFromEnv({ ENTRA_GITOPS_CONCURRENCY: 'many' })).toThrow(/^Could not read the environment variable ENTRA_GITOPS_CONCURRENCY because 'many' is not a whole number/);
    expect(() => configFromEnv({ ENTRA_GITOPS_GIT_TAG: 'maybe' })).toThrow(/ENTRA_GITOPS_GIT_TAG because 'maybe' is not true or false/);
    expect(() => configFromEnv({ ENTRA_GITOPS_KINDS: 'user,gruop' })).toThrow(/ENTRA_GITOPS_KINDS \(kinds\.1\) because must be equal to one of the allowed values/);
    expect(() => configFromEnv({ ENTRA_GITOPS_GIT_AUTHOR_NAME: 'Bot' })).toThrow(/ENTRA_GITOPS_GIT_AUTHOR_NAME \/ ENTRA_GITOPS_GIT_AUTHOR_EMAIL.*'email'/);
  });
});

describe('resolveConfig', () => {
  it('gives the defaults from nothing at all', () => {
    const config = resolveConfig({});
    expect(config).toEqual(DEFAULTS);
    expect(config.kinds).toEqual([...KIND_NAMES]);
    expect(config.kinds).not.toBe(DEFAULTS.kinds);
  });

  it('applies flags over environment over file over defaults, key by key', () => {
    const file = { path: 'entra-gitops.yaml', config: parseConfigText('kinds: [user]\nsnapshot: { concurrency: 8, pageSize: 100 }\ngit: { push: false, remote: upstream, author: { name: A, email: a@x.example } }\n') };
    const config = resolveConfig({
      file,
      env: { ENTRA_GITOPS_KINDS: 'group', ENTRA_GITOPS_CONCURRENCY: '2', ENTRA_GITOPS_GIT_AUTHOR_NAME: 'B', ENTRA_GITOPS_GIT_AUTHOR_EMAIL: 'b@x.example' },
      flags: { kinds: ['namedLocation'], git: { push: true } },
    });
    expect(config.kinds).toEqual(['namedLocation']);
    expect(config.snapshot).toEqual({ allowShrinkPercent: 20, concurrency: 2, pageSize: 100 });
    expect(config.git).toEqual({ author: { name: 'B', email: 'b@x.example' }, tag: false, push: true, remote: 'upstream', branch: undefined });
  });

  it('refuses a tenant other than the one the file pins', () => {
    const file = { path: 'entra-gitops.yaml', config: parseConfigText(`tenantId: ${T}\n`) };
    expect(resolveConfig({ file, env: { AZURE_TENANT_ID: T.toUpperCase() } }).tenantId).toBe(T);
    const err = errorOf(() => resolveConfig({ file, env: { AZURE_TENANT_ID: OTHER } }));
    expect(err.code).toBe('tenant-mismatch');
    expect(err.message).toMatch(/^Could not use tenant 9999.* from AZURE_TENANT_ID because entra-gitops\.yaml pins this repository to tenant 1111/);
    expect(resolveConfig({ env: { AZURE_TENANT_ID: OTHER } }).tenantId).toBe(OTHER);
  });

  it('validates flags too', () => {
    expect(() => resolveConfig({ flags: { kinds: ['nope' as never] } })).toThrow(/^Could not use the command-line option for kinds\.0/);
  });
});

describe('checkIdentityEnv: the sign-in variables, before any network call', () => {
  const CLIENT = '0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d';

  it('takes a GUID tenant or a domain tenant, and a GUID client id; unset is not its business', () => {
    for (const tenant of [T, T.toUpperCase(), 'contoso.onmicrosoft.com', 'contoso.com', 'login.contoso-corp.co.uk']) {
      expect(() => checkIdentityEnv({ AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: CLIENT }, true)).not.toThrow();
    }
    expect(() => checkIdentityEnv({}, true)).not.toThrow();
    expect(() => resolveConfig({ env: { AZURE_TENANT_ID: 'contoso.onmicrosoft.com', AZURE_CLIENT_ID: CLIENT }, signIn: true })).not.toThrow();
  });

  it('refuses an empty or blank value in a command that signs in, naming the variable', () => {
    for (const [name, value] of [['AZURE_CLIENT_ID', ''], ['AZURE_CLIENT_ID', '  '], ['AZURE_TENANT_ID', ''], ['AZURE_TENANT_ID', '\n']] as const) {
      const err = errorOf(() => resolveConfig({ env: { AZURE_TENANT_ID: T, AZURE_CLIENT_ID: CLIENT, [name]: value }, signIn: true }));
      expect(err.code).toBe('bad-environment');
      expect(err.source).toBe(name);
      expect(err.message).toMatch(new RegExp(`^Could not read the environment variable ${name} because it is set but empty \\(an unset GitHub Actions variable reads as empty\\)\\. \\(Hint: set it to .*; in a workflow, define the repository variable`));
    }
    // A diff between two commits reads no tenant: empty is unset there.
    expect(() => resolveConfig({ env: { AZURE_TENANT_ID: '', AZURE_CLIENT_ID: '' } })).not.toThrow();
  });

  it('refuses a malformed value in any command', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ AZURE_CLIENT_ID: 'my-app' }, /^Could not read the environment variable AZURE_CLIENT_ID because 'my-app' is not a GUID\. \(Hint: set it to the Application \(client\) ID on the app registration's Overview page\.\)$/],
      [{ AZURE_CLIENT_ID: `${CLIENT}0` }, /AZURE_CLIENT_ID because '.*' is not a GUID/],
      [{ AZURE_CLIENT_ID: `${CLIENT}\n` }, /AZURE_CLIENT_ID because '0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d' has spaces or a line break around it/],
      [{ AZURE_TENANT_ID: 'contoso' }, /AZURE_TENANT_ID because 'contoso' is not a GUID or a domain name\. \(Hint: set it to the tenant's GUID \(Tenant ID on the Overview page of the Entra admin center\) or one of its verified domains, such as contoso\.onmicrosoft\.com\.\)/],
      [{ AZURE_TENANT_ID: 'https://login.microsoftonline.com/contoso.com' }, /AZURE_TENANT_ID because 'https:.*' is not a GUID or a domain name/],
      [{ AZURE_TENANT_ID: ` ${T}` }, /AZURE_TENANT_ID because '.*' has spaces or a line break around it/],
    ];
    for (const [env, message] of cases) {
      for (const signIn of [true, false]) {
        expect(() => resolveConfig({ env, signIn })).toThrow(message);
      }
    }
  });
});

describe('resolveEndpoints', () => {
  it('refuses an authority host with a path and a Graph URL with the version', () => {
    expect(() => resolveEndpoints({ AZURE_AUTHORITY_HOST: `https://login.microsoftonline.com/${T}` }, 'public')).toThrow(/AZURE_AUTHORITY_HOST because '.*' carries a path\. \(Hint: the host only, e\.g\. https:\/\/login\.microsoftonline\.com; the tenant goes into AZURE_TENANT_ID\.\)/);
    expect(() => resolveEndpoints({ ENTRA_GITOPS_GRAPH_URL: 'https://graph.microsoft.com/v1.0/' }, 'public')).toThrow(/ENTRA_GITOPS_GRAPH_URL because '.*' carries the API version/);
    expect(() => resolveEndpoints({ ENTRA_GITOPS_GRAPH_URL: 'https://graph.microsoft.com/?x=1' }, 'public')).toThrow(/carries a query or fragment/);
    expect(resolveEndpoints({ AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/' }, 'public').authorityHost).toBe('https://login.microsoftonline.us');
  });

  it("uses the cloud's endpoints unless the environment overrides them", () => {
    expect(resolveEndpoints({}, 'china')).toEqual({ authorityHost: 'https://login.chinacloudapi.cn', graphUrl: 'https://microsoftgraph.chinacloudapi.cn' });
    expect(resolveEndpoints({ ENTRA_GITOPS_GRAPH_URL: 'https://127.0.0.1:8443/', AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443' }, 'public')).toEqual({
      authorityHost: 'https://127.0.0.1:8443',
      graphUrl: 'https://127.0.0.1:8443',
    });
    expect(() => resolveEndpoints({ ENTRA_GITOPS_GRAPH_URL: 'http://graph.example' }, 'public')).toThrow(/ENTRA_GITOPS_GRAPH_URL because 'http:\/\/graph\.example' is not an https:\/\/ URL/);
  });
});
