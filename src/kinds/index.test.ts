// The kind declarations against the Graph type catalogue and against each other.
import { describe, expect, it } from 'vitest';
import { declaredProperties, propertyInfo, typeInfo } from '../catalogue/catalogue.ts';
import type { KindName } from '../model/types.ts';
import { KINDS, kindByName } from './index.ts';

const ALL_KINDS: KindName[] = [
  'user',
  'agentUser',
  'group',
  'application',
  'agentIdentityBlueprint',
  'servicePrincipal',
  'agentIdentityBlueprintPrincipal',
  'agentIdentity',
  'oauth2PermissionGrant',
  'conditionalAccessPolicy',
  'namedLocation',
  'authenticationMethodsPolicy',
  'authorizationPolicy',
];

/** Where a property may be declared: the kind's type, or one of its concrete subtypes. */
function declaringTypes(kind: (typeof KINDS)[number]): string[] {
  return [kind.graphType, ...(kind.subtypes ?? [])];
}

describe('KINDS', () => {
  it('declares every kind once, and kindByName finds each', () => {
    expect(KINDS.map((k) => k.name).sort()).toEqual([...ALL_KINDS].sort());
    for (const name of ALL_KINDS) expect(kindByName(name)?.name).toBe(name);
  });

  for (const kind of KINDS) {
    describe(kind.name, () => {
      it(`names only properties that ${kind.graphType} (${kind.version}) declares, and no navigation property`, () => {
        for (const type of declaringTypes(kind)) expect(declaredProperties(type, kind.version), `${type} in the catalogue`).toBeDefined();
        const missing = kind.select.filter((p) => !declaringTypes(kind).some((t) => declaredProperties(t, kind.version)?.has(p)));
        expect(missing).toEqual([]);
        const navigation = kind.select.filter((p) => declaringTypes(kind).some((t) => propertyInfo(t, kind.version, p)?.navigation) && !kind.inline?.includes(p));
        expect(navigation).toEqual([]);
        for (const p of kind.inline ?? []) expect(kind.select).toContain(p);
      });

      it('keeps restorable, informational and volatile apart, and selects what it keeps', () => {
        const r = new Set(kind.restorable);
        const i = new Set(kind.informational);
        const v = new Set(kind.volatile);
        expect(kind.restorable.filter((p) => i.has(p) || v.has(p))).toEqual([]);
        expect(kind.informational.filter((p) => v.has(p))).toEqual([]);
        expect([...r, ...i].filter((p) => !kind.select.includes(p))).toEqual([]);
        expect(new Set(kind.select).size).toBe(kind.select.length);
        expect(kind.select).toContain('id');
        expect(r.size).toBe(kind.restorable.length);
      });

      it('selects no secret and no write-only property', () => {
        for (const p of kind.select) expect(p).not.toMatch(/^(passwordProfile|secretText|password)$/);
      });

      it('declares its endpoint, page size and relationships consistently', () => {
        expect(kind.path.startsWith('/')).toBe(true);
        const agent = kind.version === 'beta';
        if (agent) expect(kind.path).toContain(`/microsoft.graph.${kind.graphType.replace('microsoft.graph.', '')}`);
        if (!kind.singleton) expect(kind.pageSize).toBe(agent ? 100 : 999);
        const expanded = kind.relationships.filter((r) => r.expand);
        // Graph expands one relationship per request, and cuts collections at 20 without a nextLink.
        expect(expanded.length).toBeLessThanOrEqual(1);
        for (const r of expanded) expect(r.single).toBe(true);
        for (const r of kind.relationships) {
          const nav = r.name;
          expect(declaringTypes(kind).some((t) => propertyInfo(t, kind.version, nav)?.navigation), `${nav} is a navigation property of ${kind.graphType}`).toBe(true);
          // /{set}/ID/{nav}, or /{set}/ID/{type}/{nav} where only the kind's own type declares
          // the navigation (sponsors of agent identities: agentidentity-post-sponsors.md).
          const m = /^\/\w+\/ID\/(?:(microsoft\.graph\.\w+)\/)?\w+$/.exec(r.path('ID'));
          expect(m, r.path('ID')).not.toBeNull();
          const base = kind.path.includes('/microsoft.graph.') ? typeInfo(kind.graphType, kind.version)?.baseType : undefined;
          if (m?.[1]) {
            expect(m[1]).toBe(kind.graphType);
            expect(base && propertyInfo(base, kind.version, nav), `${nav} is declared on ${base ?? '?'} too: no type segment needed`).toBeFalsy();
          } else if (base) {
            // Without the segment the URL addresses the base type, which must declare it.
            expect(propertyInfo(base, kind.version, nav)?.navigation, `${nav} of ${kind.graphType} is not declared on ${base}: address it through the type segment`).toBe(true);
          }
        }
        const label = kind.label({ id: 'x', displayName: 'Name', clientId: 'c', scope: 'User.Read' });
        expect(label).toContain(kind.name === 'oauth2PermissionGrant' ? 'User.Read' : 'Name');
      });
    });
  }

  it('puts each subtype object in its own kind only', () => {
    const user = kindByName('user');
    const agentUser = kindByName('agentUser');
    const au = { id: '1', '@odata.type': '#microsoft.graph.agentUser' };
    expect(user?.belongs?.(au)).toBe(false);
    expect(user?.belongs?.({ id: '2' })).toBe(true);
    expect(agentUser?.belongs?.(au)).toBe(true);
    const sp = kindByName('servicePrincipal');
    for (const t of ['agentIdentity', 'agentIdentityBlueprintPrincipal']) {
      expect(sp?.belongs?.({ id: '3', '@odata.type': `#microsoft.graph.${t}` })).toBe(false);
      expect(kindByName(t as KindName)?.belongs?.({ id: '3', '@odata.type': `#microsoft.graph.${t}` })).toBe(true);
    }
    expect(kindByName('application')?.belongs?.({ id: '4', '@odata.type': '#microsoft.graph.agentIdentityBlueprint' })).toBe(false);
    expect(kindByName('oauth2PermissionGrant')?.belongs?.({ id: '5', consentType: 'Principal' })).toBe(false);
  });

  it('marks synced objects and the delta and conditional access kinds', () => {
    expect(kindByName('user')?.synced?.({ id: '1', onPremisesSyncEnabled: true })).toBe(true);
    expect(kindByName('group')?.synced?.({ id: '1', onPremisesSyncEnabled: null })).toBe(false);
    expect(KINDS.filter((k) => k.delta).map((k) => k.name)).toEqual(['user', 'group', 'application', 'servicePrincipal']);
    expect(KINDS.filter((k) => k.conditionalAccess).map((k) => k.name)).toEqual(['conditionalAccessPolicy', 'namedLocation']);
    expect(KINDS.filter((k) => k.singleton).map((k) => k.name)).toEqual(['authenticationMethodsPolicy', 'authorizationPolicy']);
  });
});
