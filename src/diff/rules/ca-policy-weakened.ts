// Security rule: a conditional access policy that protects less than it did — deleted, disabled,
// switched to report-only, its users / applications / locations / client apps / platforms /
// risk levels narrowed, grant controls dropped or loosened (OR, no authentication strength),
// session controls removed. Pure.
// States: api-reference/v1.0/resources/conditionalaccesspolicy.md (enabled, disabled,
// enabledForReportingButNotEnforced); lists: conditionalaccessusers.md,
// conditionalaccessapplications.md, conditionallocations.md, conditionalaccessgrantcontrols.md.

import type { Change, SecurityFinding } from '../../model/types.ts';
import type { RuleContext } from './shapes.ts';
import { at, finding, nameList, sides, strings, without } from './shapes.ts';

const RULE = 'ca-policy-weakened';

type State = 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';

function stateOf(value: unknown): State | undefined {
  return value === 'enabled' || value === 'disabled' || value === 'enabledForReportingButNotEnforced' ? value : undefined;
}

/** The lists whose shrinking (include) or growth (exclude) narrows who or what is covered. */
const SCOPES: ReadonlyArray<{ include: string; exclude: string; what: string }> = [
  { include: 'conditions.users.includeUsers', exclude: 'conditions.users.excludeUsers', what: 'users' },
  { include: 'conditions.users.includeGroups', exclude: 'conditions.users.excludeGroups', what: 'groups' },
  { include: 'conditions.users.includeRoles', exclude: 'conditions.users.excludeRoles', what: 'roles' },
  { include: 'conditions.applications.includeApplications', exclude: 'conditions.applications.excludeApplications', what: 'applications' },
  { include: 'conditions.locations.includeLocations', exclude: 'conditions.locations.excludeLocations', what: 'locations' },
];

/** Values that stand for "everything" in an include list. */
const ALL = new Set(['All', 'AllTrusted']);

export function caPolicyWeakened(change: Change, ctx: RuleContext): SecurityFinding[] {
  if (change.ref.kind !== 'conditionalAccessPolicy') return [];
  const { before, after } = sides(change, ctx);
  if (!before) return [];
  const was = stateOf(at(before.properties, 'state'));

  if (change.type === 'removed') {
    if (was === 'enabled') return [finding(RULE, 'critical', 'An enforced conditional access policy was deleted.')];
    if (was === 'enabledForReportingButNotEnforced') return [finding(RULE, 'medium', 'A report-only conditional access policy was deleted.')];
    return [];
  }
  if (!after) return [];
  const out: SecurityFinding[] = [];
  const now = stateOf(at(after.properties, 'state'));
  if (was === 'enabled' && now === 'disabled') out.push(finding(RULE, 'critical', 'The policy was switched off (enabled → disabled).'));
  else if (was === 'enabled' && now === 'enabledForReportingButNotEnforced') out.push(finding(RULE, 'high', 'The policy is no longer enforced (enabled → report-only).'));
  else if (was === 'enabledForReportingButNotEnforced' && now === 'disabled') out.push(finding(RULE, 'medium', 'The policy was switched off (report-only → disabled).'));

  // Narrowing a policy that is off changes nothing that is enforced or reported.
  if (now === 'disabled') return out;
  const severity = now === 'enabled' ? 'high' : 'medium';
  for (const scope of SCOPES) {
    const incBefore = strings(at(before.properties, scope.include));
    const incAfter = strings(at(after.properties, scope.include));
    const dropped = without(incBefore, incAfter);
    const lostAll = dropped.filter((v) => ALL.has(v));
    if (lostAll.length > 0) {
      const replacement = incAfter.length > 0 ? `a list (${nameList(incAfter, ctx)})` : 'nothing';
      out.push(finding(RULE, severity, `Included ${scope.what}: '${lostAll.join("', '")}' was replaced by ${replacement}.`));
    }
    const droppedOthers = dropped.filter((v) => !ALL.has(v));
    if (droppedOthers.length > 0) out.push(finding(RULE, severity, `Fewer ${scope.what} included: ${nameList(droppedOthers, ctx)} no longer covered.`));
    const excluded = without(strings(at(after.properties, scope.exclude)), strings(at(before.properties, scope.exclude)));
    if (excluded.length > 0) out.push(finding(RULE, severity, `New excluded ${scope.what}: ${nameList(excluded, ctx)}.`));
  }
  const controlsAfter = strings(at(after.properties, 'grantControls.builtInControls'));
  const lostControls = without(strings(at(before.properties, 'grantControls.builtInControls')), controlsAfter);
  // A policy that now blocks is not weaker for having dropped another control.
  if (lostControls.length > 0 && !controlsAfter.includes('block')) out.push(finding(RULE, severity, `Grant controls removed: ${lostControls.join(', ')}.`));
  if (controlsAfter.includes('block')) return out;

  // conditionalaccessgrantcontrols.md: an authentication strength (phishing-resistant MFA…)
  // dropped, or the controls joined by OR instead of AND, lets sign-ins through on less.
  const strength = (p: Record<string, unknown>) => at(p, 'grantControls.authenticationStrength.id') ?? at(p, 'grantControls.authenticationStrength');
  if (strength(before.properties) !== undefined && strength(after.properties) === undefined) out.push(finding(RULE, severity, 'The required authentication strength was removed.'));
  if (at(before.properties, 'grantControls.operator') === 'AND' && at(after.properties, 'grantControls.operator') === 'OR') {
    out.push(finding(RULE, severity, 'Grant controls are now joined by OR: any one of them suffices.'));
  }
  // conditionalaccesssessioncontrols.md: sign-in frequency and persistent-browser limits gone.
  for (const control of ['signInFrequency', 'persistentBrowser', 'continuousAccessEvaluation']) {
    if (at(before.properties, `sessionControls.${control}`) !== undefined && at(after.properties, `sessionControls.${control}`) === undefined) {
      out.push(finding(RULE, severity, `The session control ${control} was removed.`));
    }
  }
  // conditionalaccessconditionset.md: fewer client apps, platforms or risk levels covered.
  for (const [path, what] of [
    ['conditions.clientAppTypes', 'client app types'],
    ['conditions.platforms.includePlatforms', 'platforms'],
    ['conditions.signInRiskLevels', 'sign-in risk levels'],
    ['conditions.userRiskLevels', 'user risk levels'],
  ] as const) {
    const fewer = without(strings(at(before.properties, path)), strings(at(after.properties, path)));
    const covered = strings(at(after.properties, path));
    if (fewer.length > 0 && covered.length > 0 && !covered.includes('all')) out.push(finding(RULE, severity, `Fewer ${what} covered: ${fewer.join(', ')} no longer.`));
  }
  return out;
}
