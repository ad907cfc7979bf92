// The entra-gitops.yaml schema: compiles in ajv's strict mode, accepts a full config, and says
// what is wrong with a bad one.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA, KIND_NAMES } from './schema.ts';
import type { ConfigFile } from './schema.ts';

const validate = new Ajv2020({ strict: true, allErrors: true }).compile(CONFIG_SCHEMA);

describe('CONFIG_SCHEMA', () => {
  it('accepts every documented setting', () => {
    const config: ConfigFile = {
      tenantId: '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab',
      cloud: 'usgov',
      kinds: ['user', 'group', 'conditionalAccessPolicy'],
      snapshot: { allowShrinkPercent: 10, concurrency: 8, pageSize: 999 },
      redact: { user: ['mobilePhone', 'identities.issuerAssignedId'] },
      breakGlass: ['breakglass@contoso.onmicrosoft.com', '0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d'],
      git: { author: { name: 'entra-gitops', email: 'bot@contoso.com' }, tag: 'snapshot-{date}', push: true, remote: 'origin', branch: 'main' },
      recover: { maxDestructive: 25, caReportOnly: true },
    };
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({})).toBe(true);
  });

  it('refuses unknown settings, clouds and kinds, and out-of-range limits', () => {
    expect(validate({ cloud: 'germany' })).toBe(false);
    expect(validate({ kinds: ['printer'] })).toBe(false);
    expect(validate({ snapshot: { pageSize: 1000 } })).toBe(false);
    expect(validate({ redact: { printer: ['x'] } })).toBe(false);
    expect(validate({ redact: { user: ['bad path'] } })).toBe(false);
    expect(validate({ breakGlass: ['not an account'] })).toBe(false);
    expect(validate({ colour: 'blue' })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'colour' } });
  });

  it('lists all thirteen kinds', () => {
    expect(new Set(KIND_NAMES).size).toBe(13);
  });
});
