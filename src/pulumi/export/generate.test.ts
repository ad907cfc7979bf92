// The azuread export as a whole, on the in-memory fixture: same bytes for the same snapshot,
// valid source whatever the names, references in declaration order with cycles cut, and every
// object, property and link either declared or listed in UNSUPPORTED.md.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { SnapshotObject } from '../../model/types.ts';
import { generate, type ExportInput } from './generate.ts';
import { exportFixture, FIXTURE_COMMIT, FIXTURE_TENANT, FIXTURE_VERSIONS, IDS } from './test-fixtures.ts';

function input(objects: SnapshotObject[] = exportFixture()): ExportInput {
  return { tenantId: FIXTURE_TENANT, commit: FIXTURE_COMMIT, objects, versions: FIXTURE_VERSIONS };
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const result = generate(input());
const index = result.files['index.ts'] as string;

describe('generate', () => {
  it('writes the files of a Pulumi TypeScript project', () => {
    expect(Object.keys(result.files)).toEqual(['.gitignore', 'Pulumi.yaml', 'README.md', 'UNSUPPORTED.md', 'index.ts', 'package.json', 'tsconfig.json']);
    expect(result.files['Pulumi.yaml']).toMatch(/^runtime: nodejs$/m);
    const pkg = JSON.parse(result.files['package.json'] as string) as { dependencies: Record<string, string> };
    expect(pkg.dependencies).toEqual({ '@pulumi/azuread': '6.9.1', '@pulumi/pulumi': '3.276.0' });
  });

  it('gives the same bytes for the same snapshot, in whatever order the objects come', () => {
    for (const seed of [1, 2, 3]) expect(generate(input(shuffled(exportFixture(), seed))).files).toEqual(result.files);
  });

  it('is valid TypeScript syntax, hostile names and all', () => {
    const out = ts.transpileModule(index, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.CommonJS } });
    expect(out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    // eslint-disable-next-line no-control-regex -- the test looks for the controls themselves
    expect(index).not.toMatch(/[\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u0000]/);
  });

  it('declares every resource with an import id and a unique, plain name', () => {
    const names = result.resources.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const r of result.resources) {
      expect(r.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(index).toContain(`{ import: ${JSON.stringify(r.importId)}`);
    }
    expect(result.counts).toEqual({
      NamedLocation: 2,
      User: 6,
      GroupWithoutMembers: 4,
      Application: 1,
      ServicePrincipal: 2,
      ConditionalAccessPolicy: 2,
      ServicePrincipalDelegatedPermissionGrant: 1,
      GroupMember: 10,
      ApplicationPreAuthorized: 1,
      AppRoleAssignment: 3,
    });
  });

  it('refers to a variable only after its declaration, and cuts a cycle with a plain id', () => {
    const declaredAt = new Map<string, number>();
    index.split('\n').forEach((line, i) => {
      const m = /^const (\w+) = /.exec(line);
      if (m) declaredAt.set(m[1] as string, i);
    });
    index.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(/\b(\w+)\.(objectId|clientId|id)\b/g)) {
        const variable = m[1] as string;
        if (!declaredAt.has(variable)) continue;
        expect(declaredAt.get(variable), `${variable} used on line ${i + 1}`).toBeLessThan(i);
      }
    });
    // Ada and Bo manage each other: one of the two references is the plain id.
    const managers = [...index.matchAll(/managerId: (.+),/g)].map((m) => m[1]);
    expect(managers.sort()).toEqual([JSON.stringify(IDS.ada), 'userBoChen_0b0b0b0b.objectId']);
  });

  it('refers to objects the program does not declare by their plain ids', () => {
    expect(index).toContain(`memberObjectId: ${JSON.stringify(IDS.synced)}`);
    expect(index).toContain(`memberObjectId: ${JSON.stringify(IDS.agentIdentity)}`);
    expect(index).toContain(`authorizedClientId: ${JSON.stringify(IDS.graphAppId)}`);
    expect(index).toContain('clientId: appContosoPortal_2a2a2a2a.clientId');
    expect(index).toContain('excludedLocations: [locationHeadOffice_5b5b5b5b.objectId, "AllTrusted"]');
  });

  it('keeps objects owned by another organisation in the tenant when the stack is destroyed', () => {
    expect(index).toContain(`{ import: "/servicePrincipals/${IDS.graphSp}", retainOnDelete: true }`);
    expect(index).not.toContain(`{ import: "/servicePrincipals/${IDS.portalSp}", retainOnDelete`);
  });

  it('lists every object it does not declare, with why', () => {
    const whole = new Map(result.unsupported.filter((u) => u.path === '').map((u) => [u.ref.id, u.reason]));
    expect(whole.get(IDS.synced)).toMatch(/synced from on-premises/);
    expect(whole.get(IDS.agentUser)).toMatch(/Agent ID/);
    expect(whole.get(IDS.blueprint)).toMatch(/Agent ID/);
    expect(whole.get(IDS.blueprintSp)).toMatch(/Agent ID/);
    expect(whole.get(IDS.agentIdentity)).toMatch(/Agent ID/);
    expect(whole.get(IDS.distribution)).toMatch(/distribution or mail-enabled security group/);
    expect(whole.get('authenticationMethodsPolicy')).toMatch(/authentication methods policy/);
    expect(whole.get('authorizationPolicy')).toMatch(/authorization policy/);
    expect(whole.size).toBe(8);
    expect(result.objects).toBe(exportFixture().length);
  });

  it('lists the properties and links it leaves out of declared objects, with why', () => {
    const parts = result.unsupported.filter((u) => u.path !== '').map((u) => `${u.ref.id} ${u.path}: ${u.reason}`);
    expect(parts).toEqual(
      expect.arrayContaining([
        `${IDS.ada} properties.identities: the provider has no argument for it`,
        `${IDS.guest} links.sponsors: the provider has no argument for sponsors`,
        expect.stringMatching(new RegExp(`^${IDS.guest} properties.userType: a guest`)),
        expect.stringMatching(new RegExp(`^${IDS.hostile} properties.mobilePhone: redacted`)),
        expect.stringMatching(new RegExp(`^${IDS.dynamic} links.members: a dynamic group`)),
        expect.stringMatching(new RegExp(`^${IDS.portal} properties.keyCredentials: certificate credentials`)),
        `${IDS.portal} properties.web.redirectUriSettings: the provider has no argument for it`,
        expect.stringMatching(new RegExp(`^${IDS.graphSp} properties.appRoles: it comes from the application`)),
        `${IDS.mfaPolicy} properties.conditions.applications.includeAuthenticationContextClassReferences: the provider has no argument for it`,
        expect.stringMatching(new RegExp(`^${IDS.sessionPolicy} properties.sessionControls.signInFrequency: switched off`)),
      ]),
    );
    // The redacted value never reaches the program.
    expect(index).not.toContain('<redacted>');
  });

  it('lists a property it has never heard of, in every kind it declares, at the top and nested', () => {
    const objects = exportFixture().map((o) => {
      const properties: Record<string, unknown> = { ...o.properties, futureProperty: 'x' };
      for (const [key, value] of Object.entries(o.properties)) {
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) properties[key] = { ...(value as Record<string, unknown>), futureField: 1 };
      }
      return { ...o, properties, links: { ...o.links, futureLink: ['f'] } };
    });
    const out = generate(input(objects));
    const declared = new Set(out.resources.map((r) => r.of.id));
    for (const o of objects) {
      if (!declared.has(o.id)) continue;
      const paths = out.unsupported.filter((u) => u.ref.id === o.id).map((u) => u.path);
      expect(paths, o.name).toEqual(expect.arrayContaining(['properties.futureProperty', 'links.futureLink']));
      for (const [key, value] of Object.entries(o.properties)) {
        if (typeof value === 'object' && value !== null && !Array.isArray(value) && key !== 'futureProperty') {
          expect(paths.some((p) => p === `properties.${key}` || p === `properties.${key}.futureField` || p.startsWith(`properties.${key}.`)), `${o.name}: properties.${key}`).toBe(true);
        }
      }
    }
  });

  it('writes a program with no resources for an empty snapshot, and says nothing is left out', () => {
    const empty = generate(input([]));
    expect(empty.resources).toEqual([]);
    expect(empty.files['index.ts']).toMatch(/import \* as azuread from "@pulumi\/azuread";\n$/);
    expect(empty.files['UNSUPPORTED.md']).toContain('Nothing: every object, property and link of the snapshot is declared.');
  });
});

describe('UNSUPPORTED.md', () => {
  const md = result.files['UNSUPPORTED.md'] as string;

  it('counts what it lists and names the snapshot', () => {
    expect(md).toContain(`The snapshot of tenant \`${FIXTURE_TENANT}\` at commit \`${FIXTURE_COMMIT}\` holds ${exportFixture().length} object(s)`);
    const parts = result.unsupported.filter((u) => u.path !== '').length;
    expect(md).toContain(`## Objects not declared (8)`);
    expect(md).toContain(`## Properties and links not declared (${parts}, in `);
  });

  it('keeps a hostile name on its heading line, inert', () => {
    const heading = md.split('\n').find((l) => l.includes(IDS.hostile) && l.startsWith('### '));
    expect(heading).toBeDefined();
    // eslint-disable-next-line no-control-regex -- the test looks for the controls themselves
    expect(heading).not.toMatch(/[\u2028\u2029\u202e\u0000]|<robert/);
    expect(md.split('\n').filter((l) => l.includes('process.exit')).every((l) => l.startsWith('### '))).toBe(true);
  });
});
