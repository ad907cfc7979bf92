// The exported program against the real @pulumi/azuread: it type-checks with the installed
// packages (and a wrong argument does not, so the check has teeth), and run under Pulumi's mocks
// (pulumi.runtime.setMocks) it registers exactly the resources the snapshot calls for, each with
// its type, a unique name, its import id and its key inputs, references resolved to the right
// objects. The expectations are worked out here from the snapshot, independently of the generator.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as pulumi from '@pulumi/pulumi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkTarget, SnapshotObject } from '../src/model/types.ts';
import { generate } from '../src/pulumi/export/generate.ts';
import { exportFixture, FIXTURE_COMMIT, FIXTURE_TENANT, FIXTURE_VERSIONS, HOSTILE_NAME, IDS } from '../src/pulumi/export/test-fixtures.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const objects = exportFixture();
const result = generate({ tenantId: FIXTURE_TENANT, commit: FIXTURE_COMMIT, objects, versions: FIXTURE_VERSIONS });
let base: string;

/** The program in a folder of its own, its packages resolved from this repository's node_modules
 * (as `npm install` would provide them). */
function writeProgram(name: string, files: Record<string, string>): string {
  const dir = join(base, name);
  mkdirSync(dir);
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

async function tsc(dir: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [TSC, '--noEmit', '-p', join(dir, 'tsconfig.json')], { timeout: 120_000 });
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'entra-gitops-export-'));
});
afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('the exported program type-checks against the installed @pulumi/azuread', () => {
  it('with its own tsconfig.json, every kind and hostile names included', async () => {
    const dir = writeProgram('program', result.files);
    const { code, output } = await tsc(dir);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 120_000);

  it('and fails on an argument the provider does not have', async () => {
    const broken = (result.files['index.ts'] as string).replace('userPrincipalName: "ada@contoso.example"', 'userPrincipleName: "ada@contoso.example"');
    expect(broken).not.toBe(result.files['index.ts']);
    const dir = writeProgram('broken', { ...result.files, 'index.ts': broken });
    const { code, output } = await tsc(dir);
    expect(code).not.toBe(0);
    expect(output).toMatch(/userPrincipleName/);
  }, 120_000);
});

// ---- What the snapshot calls for, worked out from the objects themselves ----

interface Expected {
  token: string;
  importId: string;
  /** Inputs as the engine sees them, references resolved to ids. */
  inputs: Record<string, unknown>;
}

const byId = new Map(objects.map((o) => [o.id, o]));
const ids = (targets: LinkTarget[] | undefined) => (targets ?? []).map((t) => (typeof t === 'string' ? t : t.id));
const synced = (o: SnapshotObject) => o.readOnly.onPremisesSyncEnabled === true;
const sorted = (values: string[]) => [...values].sort();

function expectedResources(): Expected[] {
  const out: Expected[] = [];
  for (const o of objects) {
    const p = o.properties as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (synced(o)) continue;
    switch (o.kind) {
      case 'user': {
        const manager = ids(o.links.manager)[0];
        out.push({ token: 'azuread:index/user:User', importId: `/users/${o.id}`, inputs: { displayName: p.displayName, userPrincipalName: p.userPrincipalName, ...(manager ? { managerId: manager } : {}) } });
        break;
      }
      case 'group': {
        const unified = (p.groupTypes ?? []).includes('Unified');
        if (p.mailEnabled === true && !unified) break;
        const owners = ids(o.links.owners);
        out.push({ token: 'azuread:index/groupWithoutMembers:GroupWithoutMembers', importId: `/groups/${o.id}`, inputs: { displayName: p.displayName, ...(owners.length ? { owners: sorted(owners) } : {}) } });
        if ((p.groupTypes ?? []).includes('DynamicMembership')) break;
        for (const m of ids(o.links.members)) out.push({ token: 'azuread:index/groupMember:GroupMember', importId: `${o.id}/member/${m}`, inputs: { groupObjectId: o.id, memberObjectId: m } });
        break;
      }
      case 'application': {
        const owners = ids(o.links.owners);
        out.push({ token: 'azuread:index/application:Application', importId: `/applications/${o.id}`, inputs: { displayName: p.displayName, ...(owners.length ? { owners: sorted(owners) } : {}) } });
        for (const pre of p.api?.preAuthorizedApplications ?? []) {
          out.push({
            token: 'azuread:index/applicationPreAuthorized:ApplicationPreAuthorized',
            importId: `${o.id}/preAuthorizedApplication/${pre.appId}`,
            inputs: { applicationId: `/applications/${o.id}`, authorizedClientId: pre.appId, permissionIds: pre.delegatedPermissionIds },
          });
        }
        break;
      }
      case 'servicePrincipal': {
        out.push({ token: 'azuread:index/servicePrincipal:ServicePrincipal', importId: `/servicePrincipals/${o.id}`, inputs: { clientId: o.readOnly.appId } });
        for (const a of o.links.appRoleAssignedTo ?? []) {
          if (typeof a === 'string') continue;
          out.push({
            token: 'azuread:index/appRoleAssignment:AppRoleAssignment',
            importId: `/servicePrincipals/${o.id}/appRoleAssignedTo/${a.id}`,
            inputs: { appRoleId: a.appRoleId, principalObjectId: a.principalId, resourceObjectId: o.id },
          });
        }
        break;
      }
      case 'oauth2PermissionGrant':
        out.push({
          token: 'azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant',
          importId: `/oauth2PermissionGrants/${o.id}`,
          inputs: { servicePrincipalObjectId: p.clientId, resourceServicePrincipalObjectId: p.resourceId, claimValues: String(p.scope).split(' ') },
        });
        break;
      case 'conditionalAccessPolicy': {
        const c = p.conditions;
        out.push({
          token: 'azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy',
          importId: `/identity/conditionalAccess/policies/${o.id}`,
          inputs: {
            displayName: p.displayName,
            state: p.state,
            conditions: {
              clientAppTypes: c.clientAppTypes,
              applications: { includedApplications: c.applications.includeApplications, ...(c.applications.excludeApplications ? { excludedApplications: c.applications.excludeApplications } : {}) },
              users: {
                ...(c.users.includeUsers ? { includedUsers: c.users.includeUsers } : {}),
                ...(c.users.excludeUsers ? { excludedUsers: c.users.excludeUsers } : {}),
                ...(c.users.includeGroups ? { includedGroups: c.users.includeGroups } : {}),
                ...(c.users.excludeGroups ? { excludedGroups: c.users.excludeGroups } : {}),
              },
              ...(c.locations ? { locations: { includedLocations: c.locations.includeLocations, ...(c.locations.excludeLocations ? { excludedLocations: c.locations.excludeLocations } : {}) } } : {}),
            },
          },
        });
        break;
      }
      case 'namedLocation':
        out.push({
          token: 'azuread:index/namedLocation:NamedLocation',
          importId: `/identity/conditionalAccess/namedLocations/${o.id}`,
          inputs: {
            displayName: p.displayName,
            ...(o.type === 'microsoft.graph.ipNamedLocation' ? { ip: { ipRanges: p.ipRanges.map((r: { cidrAddress: string }) => r.cidrAddress), trusted: p.isTrusted } } : { country: { countriesAndRegions: p.countriesAndRegions } }),
          },
        });
        break;
      default:
        break;
    }
  }
  return out;
}

/** The object id of an imported resource that stands for a directory object, and the appId of an
 * application: what the provider would read back as outputs. */
function outputsOf(type: string, importId: string): Record<string, string> {
  const m = /^\/(users|groups|applications|servicePrincipals|identity\/conditionalAccess\/namedLocations)\/([^/]+)$/.exec(importId);
  if (!m) return {};
  const id = m[2] as string;
  const appId = type.endsWith(':Application') ? byId.get(id)?.readOnly.appId : undefined;
  return { objectId: id, ...(typeof appId === 'string' ? { clientId: appId } : {}) };
}

describe('the exported program under Pulumi mocks', () => {
  const seen: pulumi.runtime.MockResourceArgs[] = [];

  beforeAll(async () => {
    const dir = writeProgram('mocked', result.files);
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          seen.push(args);
          return { id: args.id ?? `${args.name}-id`, state: { ...args.inputs, ...outputsOf(args.type, args.id ?? '') } };
        },
        call: () => ({}),
      },
      'entra-export',
      'test',
      false,
    );
    await import(pathToFileURL(join(dir, 'index.ts')).href);
    await pulumi.runtime.disconnect();
  }, 60_000);

  it('registers exactly the resources the snapshot calls for, each imported', () => {
    const actual = seen.map((s) => `${s.type} ${s.id}`).sort();
    const expected = expectedResources().map((e) => `${e.token} ${e.importId}`).sort();
    expect(actual).toEqual(expected);
    expect(seen.every((s) => s.custom === true)).toBe(true);
  });

  it('gives each a unique name, the one the generator reports', () => {
    const names = seen.map((s) => `${s.type} ${s.name}`);
    expect(new Set(names).size).toBe(names.length);
    expect(sorted(seen.map((s) => s.name))).toEqual(sorted(result.resources.map((r) => r.name)));
  });

  it('passes the key inputs of every resource, references resolved to the right objects', () => {
    const byImport = new Map(seen.map((s) => [`${s.type} ${s.id}`, s]));
    for (const e of expectedResources()) {
      const s = byImport.get(`${e.token} ${e.importId}`);
      const inputs = { ...(s?.inputs as Record<string, unknown>) };
      if (Array.isArray(inputs.owners)) inputs.owners = sorted(inputs.owners as string[]);
      expect(inputs, `${e.token} ${e.importId}`).toMatchObject(e.inputs);
    }
  });

  it('carries hostile names through unchanged', () => {
    const hostile = seen.find((s) => s.id === `/users/${IDS.hostile}`);
    expect((hostile?.inputs as { displayName: string }).displayName).toBe(HOSTILE_NAME);
    const policy = seen.find((s) => s.id === `/identity/conditionalAccess/policies/${IDS.mfaPolicy}`);
    expect((policy?.inputs as { displayName: string }).displayName).toBe(byId.get(IDS.mfaPolicy)?.properties.displayName);
  });

  it('declares nothing the snapshot leaves out: no synced user, agent or distribution group', () => {
    // An object's own resource is imported by /<collection>/<id>; a membership naming one is not
    // that object's resource.
    const own = seen.map((s) => /^\/[A-Za-z/]+\/([^/]+)$/.exec(s.id ?? '')?.[1]).filter(Boolean);
    for (const id of [IDS.synced, IDS.agentUser, IDS.agentIdentity, IDS.blueprint, IDS.blueprintSp, IDS.distribution]) expect(own).not.toContain(id);
    expect(own).toContain(IDS.ada);
  });

  it('matches the generated source it ran', () => {
    const source = readFileSync(join(base, 'mocked', 'index.ts'), 'utf8');
    expect(source).toBe(result.files['index.ts']);
  });
});
