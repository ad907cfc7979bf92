// The workflow runner's expressions: GitHub's semantics for what the templates use, and an error
// for anything else, so that a template using something the runner does not model fails its test.
import { describe, expect, it } from 'vitest';
import { condition, interpolate, type Contexts } from './workflow-runner.ts';

const ctx: Contexts = {
  github: { sha: 'abc', ref: 'refs/heads/main', event_name: 'push', token: 't', repository: 'o/r', event: { repository: { default_branch: 'main' }, head_commit: { message: 'Revert "snapshot of x"' } } },
  vars: { AZURE_TENANT_ID: 'tid' },
  secrets: {},
  inputs: { full: false, commit: '' },
  matrix: { tenant: 'tid' },
  steps: { plan: { outputs: { changes: 'true' }, outcome: 'success', conclusion: 'success' } },
  needs: { plan: { outputs: { changes: 'true' }, result: 'success' } },
  runner: { temp: '/tmp/r' },
};

describe('the workflow runner: expressions', () => {
  it('fills in contexts, ||, &&, !, ==, startsWith, contains and format as GitHub does', () => {
    expect(interpolate('${{ inputs.commit || github.sha }}', ctx)).toBe('abc');
    expect(interpolate('plan-${{ matrix.tenant }} ${{ runner.temp }}/plan/', ctx)).toBe('plan-tid /tmp/r/plan/');
    expect(interpolate('${{ steps.plan.outputs.changes }}|${{ steps.plan.outputs.none }}|${{ vars.MISSING }}', ctx)).toBe('true||');
    expect(interpolate('${{ inputs.full }}', ctx)).toBe('false');
    expect(condition("needs.plan.outputs.changes == 'TRUE' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)", ctx)).toBe(true);
    expect(condition("github.event_name == 'workflow_dispatch' || (!startsWith(github.event.head_commit.message, 'snapshot ') && !contains(github.event.head_commit.message, 'entra-gitops/drift/'))", ctx)).toBe(true);
    expect(condition("startsWith(github.event.head_commit.message, 'revert')", ctx)).toBe(true);
    // An absent event property is null, and null is not a string that starts with anything.
    expect(condition("!startsWith(github.event.pull_request.title, 'x')", ctx)).toBe(true);
  });

  it('implies success() unless a status function is called', () => {
    const failed = { ...ctx, status: { failed: true, cancelled: false } };
    const cancelled = { ...ctx, status: { failed: false, cancelled: true } };
    expect(condition("steps.plan.outputs.changes == 'true'", failed)).toBe(false);
    expect(condition("(success() || failure()) && steps.plan.outputs.changes == 'true'", failed)).toBe(true);
    expect(condition("(success() || failure()) && steps.plan.outputs.changes == 'true'", cancelled)).toBe(false);
    expect(condition("always() && steps.plan.outputs.changes == 'true'", cancelled)).toBe(true);
    expect(condition(undefined, failed)).toBe(false);
  });

  it('refuses what it does not model', () => {
    expect(() => interpolate('${{ github.actor }}', ctx)).toThrow(/does not model 'github.actor'/);
    expect(() => interpolate('${{ hashFiles(\'x\') }}', ctx)).toThrow(/does not model the function hashFiles/);
    expect(() => interpolate('${{ job.status }}', ctx)).toThrow(/does not model 'job.status'/);
    expect(() => interpolate('${{ matrix.os }}', ctx)).toThrow(/does not model 'matrix.os'/);
    expect(() => condition('github.sha > 1', ctx)).toThrow(/does not model '>'/);
  });
});
