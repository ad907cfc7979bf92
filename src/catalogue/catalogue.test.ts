// The generated Graph type catalogue: reproducible from the installed definitions, and the
// answers catalogue.ts gives from it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCatalogue, CATALOGUE_PATH, readInstalledDefinitions } from '../../scripts/graph-catalogue.ts';
import { allProperties, declaredProperties, isSubtypeOf, propertyInfo, typeInfo } from './catalogue.ts';

describe('scripts/graph-catalogue.ts (the generator)', () => {
  it('regenerates src/catalogue/graph-catalogue.json byte for byte from the installed type packages', () => {
    const fresh = buildCatalogue(readInstalledDefinitions());
    expect(fresh).toBe(readFileSync(CATALOGUE_PATH, 'utf8'));
  });

  it('does not depend on declaration order, unwraps NullableOption and marks entity references as navigation', () => {
    const a = [
      'export as namespace microsoftgraph;',
      'export type NullableOption<T> = T | null;',
      'export interface Entity { id?: string; }',
      'export interface DirectoryObject extends Entity { deletedDateTime?: NullableOption<string>; }',
      'export interface User extends DirectoryObject { businessPhones?: string[]; passwordProfile?: NullableOption<PasswordProfile>; manager?: NullableOption<DirectoryObject>; ageGroup?: AgeGroup; }',
      'export interface PasswordProfile { password?: NullableOption<string>; }',
      'export type AgeGroup = "minor" | "adult";',
      'export interface Unrelated { x?: string; }',
    ];
    const b = [a[0], a[1], ...a.slice(2).reverse()];
    const build = (lines: string[]) => buildCatalogue({ 'v1.0': { text: lines.join('\n'), source: 'test@1' }, beta: { text: lines.join('\n'), source: 'test@1' } });
    const first = build(a as string[]);
    expect(build(b as string[])).toBe(first);
    const parsed = JSON.parse(first) as { types: Record<string, Record<string, { kind: string; properties?: Record<string, unknown>; members?: string[] }>> };
    const user = parsed.types['v1.0']?.['microsoft.graph.user'];
    expect(user?.kind).toBe('entity');
    expect(user?.properties?.businessPhones).toEqual({ collection: true, navigation: false, nullable: false, type: 'string' });
    expect(user?.properties?.passwordProfile).toEqual({ collection: false, navigation: false, nullable: true, type: 'microsoft.graph.passwordProfile' });
    expect(user?.properties?.manager).toEqual({ collection: false, navigation: true, nullable: true, type: 'microsoft.graph.directoryObject' });
    expect(parsed.types['v1.0']?.['microsoft.graph.ageGroup']).toEqual({ baseType: null, kind: 'enum', members: ['minor', 'adult'] });
    // Only what the served types reach is kept.
    expect(parsed.types['v1.0']?.['microsoft.graph.unrelated']).toBeUndefined();
  });
});

describe('catalogue.ts over the generated file (api-reference/v1.0/resources/user.md, directoryobject.md)', () => {
  it('answers own and inherited properties of user (id from entity, deletedDateTime from directoryObject)', () => {
    const props = declaredProperties('microsoft.graph.user', 'v1.0');
    expect(props?.has('businessPhones')).toBe(true);
    expect(props?.has('userPrincipalName')).toBe(true);
    expect(props?.has('deletedDateTime')).toBe(true);
    expect(props?.has('id')).toBe(true);
    expect(props?.has('notAProperty')).toBe(false);
    expect(declaredProperties('microsoft.graph.noSuchType', 'v1.0')).toBeUndefined();
  });

  it('knows collections and navigation properties (user.md: businessPhones is a String collection; manager is a relationship)', () => {
    expect(propertyInfo('microsoft.graph.user', 'v1.0', 'businessPhones')).toMatchObject({ collection: true, navigation: false });
    expect(propertyInfo('microsoft.graph.user', 'v1.0', 'manager')).toMatchObject({ navigation: true });
    expect(propertyInfo('microsoft.graph.group', 'v1.0', 'groupTypes')).toMatchObject({ collection: true, type: 'string' });
  });

  it('holds the agent types in beta only, from their resource pages (api-reference/beta/resources/agentuser.md, agentidentity.md)', () => {
    expect(declaredProperties('microsoft.graph.agentUser', 'beta')?.has('identityParentId')).toBe(true);
    expect(declaredProperties('microsoft.graph.agentUser', 'beta')?.has('userPrincipalName')).toBe(true);
    expect(typeInfo('microsoft.graph.agentUser', 'beta')?.source).toBe('api-reference/beta/resources/agentuser.md');
    expect(typeInfo('microsoft.graph.agentUser', 'v1.0')).toBeUndefined();
    expect(isSubtypeOf('microsoft.graph.agentIdentity', 'microsoft.graph.servicePrincipal', 'beta')).toBe(true);
  });

  it('includes the named location and authentication method configuration subtypes (namedlocation.md, authenticationmethodconfiguration.md)', () => {
    expect(declaredProperties('microsoft.graph.ipNamedLocation', 'v1.0')?.has('ipRanges')).toBe(true);
    expect(declaredProperties('microsoft.graph.ipNamedLocation', 'v1.0')?.has('displayName')).toBe(true);
    expect(typeInfo('microsoft.graph.fido2AuthenticationMethodConfiguration', 'v1.0')?.baseType).toBe('microsoft.graph.authenticationMethodConfiguration');
    // Complex types reached from a served type, with their own properties.
    expect(allProperties('microsoft.graph.conditionalAccessPolicy', 'v1.0')?.get('conditions')?.type).toBe('microsoft.graph.conditionalAccessConditionSet');
    expect(typeInfo('microsoft.graph.conditionalAccessConditionSet', 'v1.0')?.kind).toBe('complex');
  });
});
