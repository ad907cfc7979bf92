// What `entra-gitops init` writes into a backup repository: the configuration, the workflows
// (rendered from templates/workflows/), .gitattributes, the README section and the setup text,
// and how a file already there is merged or left alone. Pure: the templates and schemas are
// passed in, and nothing is read or written here.
import { parseDocument } from 'yaml';
import { CONFIG_FILE } from '../config/resolve.ts';
import { INSTALL_DIR } from './lockfile.ts';
import { IDENTITIES, permissionsMarkdown } from './permissions.ts';

export const MODES = ['backup', 'gitops'] as const;
export type Mode = (typeof MODES)[number];

/** The environment whose required reviewers stand between a plan and the write identity. */
export const RECOVERY_ENVIRONMENT = 'entra-recovery';
export const WORKFLOW_NAMES = ['snapshot', 'validate', 'recover'] as const;
export type WorkflowName = (typeof WORKFLOW_NAMES)[number];

const OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
const OIDC_AUDIENCE = 'api://AzureADTokenExchange';
/** What a workflow's matrix holds when the tenant comes from a repository variable. */
export const TENANT_VARIABLE = '${{ vars.AZURE_TENANT_ID }}';

export interface ScaffoldOptions {
  /** The one tenant this repository backs up (pinned in entra-gitops.yaml). */
  tenantId?: string | undefined;
  /** Several tenants in one repository: a matrix over them, no pin. */
  tenants?: readonly string[] | undefined;
  mode: Mode;
  /** OWNER/REPO on GitHub, for the federated credential subjects. */
  githubRepo?: string | undefined;
  /** The default branch (scheduled snapshots, recoveries). */
  branch: string;
  /** What the install lockfile pins, NAME@VERSION (for the setup text). */
  packageSpec: string;
}

/** A whole file init owns, or a block it keeps between markers in a file the user owns. */
export interface ScaffoldFile {
  path: string;
  text: string;
  block?: { begin: string; end: string };
}

const README_BLOCK = { begin: '<!-- entra-gitops:begin (written by entra-gitops init; edit outside these markers) -->', end: '<!-- entra-gitops:end -->' };
const ATTRIBUTES_BLOCK = { begin: '# entra-gitops:begin (written by entra-gitops init)', end: '# entra-gitops:end' };

function tenantList(o: ScaffoldOptions): string[] {
  if (o.tenants && o.tenants.length > 0) return [...o.tenants];
  return [o.tenantId ?? TENANT_VARIABLE];
}

/** The workflow as init writes it: the template with the package, the tenants' matrix, the
 * default branch and (for snapshot.yml) the one job of the chosen mode. Comments are kept. */
export function renderWorkflow(name: WorkflowName, template: string, o: ScaffoldOptions): string {
  const doc = parseDocument(template);
  if (name === 'snapshot') doc.deleteIn(['jobs', o.mode === 'backup' ? 'gitops' : 'backup']);
  if (name === 'recover') doc.setIn(['on', 'push', 'branches'], doc.createNode([o.branch], { flow: true }));
  const jobs = doc.get('jobs') as { items: Array<{ key: { value: string } }> } | undefined;
  for (const item of jobs?.items ?? []) {
    const path = ['jobs', item.key.value, 'strategy', 'matrix', 'tenant'];
    if (doc.hasIn(path)) doc.setIn(path, doc.createNode(tenantList(o), { flow: true }));
  }
  if (doc.errors.length > 0) throw new Error(`Could not render ${name}.yml because the template is not valid YAML: ${doc.errors[0]?.message}. (Hint: this is a bug in entra-gitops; report it.)`);
  return doc.toString({ lineWidth: 0 });
}

function configText(o: ScaffoldOptions): string {
  const lines = [
    '# yaml-language-server: $schema=schemas/config.schema.json',
    '# entra-gitops configuration (every key: schemas/config.schema.json). Secrets never go here:',
    "# the workflows sign in with GitHub's OIDC token, a person with AZURE_* variables.",
  ];
  if (o.tenants && o.tenants.length > 0) {
    lines.push(`# This repository backs up ${o.tenants.length} tenants (the workflows' matrix.tenant), so no tenantId pins it.`);
  } else if (o.tenantId) {
    lines.push('tenantId: ' + o.tenantId + '   # pins the repository: credentials for another tenant are refused');
  } else {
    lines.push('# tenantId: 00000000-0000-0000-0000-000000000000   # pin the repository to its tenant');
  }
  lines.push(
    'snapshot:',
    '  allowShrinkPercent: 20   # a kind that lost more objects than this refuses the snapshot',
    'recover:',
    '  maxDestructive: 50       # more destructive operations need --allow-mass-changes',
    '# Emergency-access accounts recovery never disables, deletes or excludes from access:',
    'breakGlass: []',
  );
  return `${lines.join('\n')}\n`;
}

function attributesText(): string {
  return [
    '# Snapshots, schemas and records are text with LF endings on every platform, so an',
    '# unchanged tenant gives a byte-identical tree; recovery records are generated.',
    'snapshots/** text eol=lf',
    'schemas/*.json text eol=lf',
    `${CONFIG_FILE} text eol=lf`,
    'recoveries/**/*.json text eol=lf linguist-generated=true',
    '',
  ].join('\n');
}

/** The federated credential subjects (GitHub's OIDC `sub` claims) each identity trusts. */
export function federatedSubjects(o: Pick<ScaffoldOptions, 'githubRepo' | 'branch'>): Record<'snapshot' | 'recovery', Array<{ name: string; subject: string; why: string }>> {
  const repo = o.githubRepo ?? 'OWNER/REPO';
  return {
    snapshot: [
      { name: 'default-branch', subject: `repo:${repo}:ref:refs/heads/${o.branch}`, why: 'scheduled snapshots, recovery plans' },
      { name: 'pull-requests', subject: `repo:${repo}:pull_request`, why: 'plans posted on pull requests (any pull request job of the repository gets this subject: see "Pull request plans" below)' },
    ],
    recovery: [{ name: RECOVERY_ENVIRONMENT, subject: `repo:${repo}:environment:${RECOVERY_ENVIRONMENT}`, why: `recover --yes, only in the ${RECOVERY_ENVIRONMENT} environment (the subject names no branch: step 3 limits the environment to \`${o.branch}\`)` }],
  };
}

/** The exact setup, in Markdown: printed by init and kept in the README. */
export function setupText(o: ScaffoldOptions): string {
  const multi = (o.tenants?.length ?? 0) > 0;
  const repo = o.githubRepo ?? 'OWNER/REPO';
  const subjects = federatedSubjects(o);
  const tenants = multi ? (o.tenants ?? []).join(', ') : (o.tenantId ?? 'your tenant');
  const out: string[] = [
    '## Entra tenant backup (entra-gitops)',
    '',
    `This repository backs up ${multi ? `the tenants ${tenants}` : `tenant ${tenants}`} in **${o.mode} mode**: ${
      o.mode === 'backup' ? 'every change found is committed to the default branch.' : `drift goes to the branch \`entra-gitops/drift/<tenant>\` and one pull request per tenant, whose body is the difference report.`
    }`,
    '',
    '| workflow | when | what |',
    '|---|---|---|',
    `| \`.github/workflows/snapshot.yml\` | daily, and by hand | \`entra-gitops snapshot\`${o.mode === 'backup' ? ' `--push`' : ' onto the drift branch, then the pull request'} |`,
    '| `.github/workflows/validate.yml` | pull requests changing `snapshots/` | `entra-gitops validate` on the changed files; `entra-gitops plan` against the tenant, as a comment (not for forks) |',
    `| \`.github/workflows/recover.yml\` | a push to \`${o.branch}\` changing \`snapshots/\` (a revert, an edit, a merged drift pull request), and by hand (a commit of \`${o.branch}\`'s history, kinds, ids) | \`entra-gitops plan\`, then \`entra-gitops recover --plan … --yes\` in the \`${RECOVERY_ENVIRONMENT}\` environment; the record is committed under \`recoveries/\` and uploaded |`,
    '',
    '### Setup',
    '',
    `1. **Two app registrations** in ${multi ? 'your own tenant, each "Accounts in any organizational directory" (multi-tenant), then admin consent in every backed-up tenant (`https://login.microsoftonline.com/<tenant>/adminconsent?client_id=<client id>`)' : 'the tenant'} — Microsoft Entra admin center → App registrations → New registration. No client secret: they sign in through GitHub's OIDC token. Grant the Microsoft Graph **application** permissions below (API permissions → Add a permission → Microsoft Graph → Application permissions), then "Grant admin consent".`,
  ];
  for (const id of ['snapshot', 'recovery'] as const) {
    out.push('', `   **${IDENTITIES[id].title}** — ${IDENTITIES[id].commands}; its client id goes in the repository variable \`${IDENTITIES[id].variable}\`.`, '');
    for (const line of permissionsMarkdown(id).trimEnd().split('\n')) out.push(`   ${line}`);
    out.push('', `   Federated credentials (Certificates & secrets → Federated credentials → GitHub Actions deploying Azure resources; issuer \`${OIDC_ISSUER}\`, audience \`${OIDC_AUDIENCE}\`):`, '');
    for (const s of subjects[id]) out.push(`   - \`${s.subject}\` — ${s.why}`);
    out.push('', '   ```sh');
    for (const s of subjects[id]) {
      out.push(`   az ad app federated-credential create --id <${id} client id> --parameters '${JSON.stringify({ name: s.name, issuer: OIDC_ISSUER, subject: s.subject, audiences: [OIDC_AUDIENCE] })}'`);
    }
    out.push('   ```');
  }
  const b = o.branch;
  out.push(
    '',
    `2. **Repository variables** (Settings → Secrets and variables → Actions → Variables; ids are not secrets): \`AZURE_CLIENT_ID\` (snapshot identity), \`AZURE_RECOVERY_CLIENT_ID\` (recovery identity)${multi || o.tenantId ? '' : ', `AZURE_TENANT_ID` (the tenant)'}.`,
    `3. **REQUIRED: environment \`${RECOVERY_ENVIRONMENT}\`, deployable from \`${b}\` only, with required reviewers.** The recovery identity's subject names the environment and no branch: without this policy any branch, with a workflow file edited on it, gets the write identity. GitHub refuses a job of another branch before it starts. Portal: Settings → Environments → New environment \`${RECOVERY_ENVIRONMENT}\` → Required reviewers (the people who approve a recovery after reading its plan) and "Prevent self-review" → Deployment branches and tags: "Selected branches and tags" → Add deployment branch or tag rule: Ref type Branch, \`${b}\`. Or with \`gh\` (a reviewer's id: \`gh api users/<login> --jq .id\`):`,
    '',
    '   ```sh',
    `   gh api --method PUT repos/${repo}/environments/${RECOVERY_ENVIRONMENT} --input - <<'EOF'`,
    '   {"prevent_self_review": true, "reviewers": [{"type": "User", "id": <reviewer id>}], "deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true}}',
    '   EOF',
    `   gh api --method POST repos/${repo}/environments/${RECOVERY_ENVIRONMENT}/deployment-branch-policies -f name=${b} -f type=branch`,
    '   # check: {"custom_branch_policies":true,"protected_branches":false} and ["' + b + '"], nothing else',
    `   gh api repos/${repo}/environments/${RECOVERY_ENVIRONMENT} --jq .deployment_branch_policy`,
    `   gh api repos/${repo}/environments/${RECOVERY_ENVIRONMENT}/deployment-branch-policies --jq '[.branch_policies[].name]'`,
    '   ```',
    '',
    `4. **REQUIRED: protect \`${b}\` from force pushes and deletion.** A recovery returns only to commits of \`${b}\`'s history, so that history must not be rewritten. Who can push to \`${b}\` decides what a recovery restores (the \`${RECOVERY_ENVIRONMENT}\` reviewers approve each plan): give write access only to those people. (Required reviews on \`${b}\` would stop the workflows, which push ${o.mode === 'backup' ? 'snapshots and ' : ''}recovery records to it.) Portal: Settings → Branches → Add branch protection rule \`${b}\`, "Do not allow bypassing the above settings", force pushes and deletions left off. Or:`,
    '',
    '   ```sh',
    `   gh api --method PUT repos/${repo}/branches/${b}/protection --input - <<'EOF'`,
    '   {"required_status_checks": null, "enforce_admins": true, "required_pull_request_reviews": null, "restrictions": null, "allow_force_pushes": false, "allow_deletions": false}',
    '   EOF',
    '   ```',
    '',
  );
  let n = 5;
  if (o.mode === 'gitops') out.push(`${n++}. **Pull requests from workflows**: Settings → Actions → General → "Allow GitHub Actions to create and approve pull requests".`);
  out.push(
    `${n}. Commit, push to ${repo}, and run "entra-gitops snapshot" once by hand (Actions → entra-gitops snapshot → Run workflow).`,
    '',
    `**Pull request plans.** GitHub gives every \`pull_request\` job of this repository the subject \`repo:${repo}:pull_request\`, so anyone who can push a branch can, from a workflow of their own on a pull request, sign in as the snapshot identity and read what its permissions allow. A separate identity would not read less: the plan needs the same Graph read permissions, which cannot be narrowed further. What that person gains over the repository they can already read is the tenant's drift since the last snapshot and what the snapshot leaves out: properties under \`redact:\`, and properties and kinds not backed up. When that matters (\`redact:\` is used, or people who push branches must not read the directory), do not create the \`pull-requests\` credential and set the repository variable \`ENTRA_GITOPS_PR_PLAN\` to \`false\`: pull requests then get the schema check only, and the plan is read after merging, in the recover workflow.`,
    '',
    'Recover by reverting: `git revert <snapshot commit>` (or edit a file under `snapshots/`) and push to the default branch; the plan appears in the run summary and waits for a reviewer of `entra-recovery`. By hand: `entra-gitops plan --to <commit>`, `entra-gitops recover --to <commit> --yes`.',
    '',
    `The workflows install \`${o.packageSpec}\` and every package it needs from \`${INSTALL_DIR}/package-lock.json\` (each with its integrity hash, at the versions the release was tested with; \`npm ci --ignore-scripts\`), in a job of their own that has no identity token and cannot push. To upgrade, run \`entra-gitops init --repin --package <the new version, tarball or git URL>\` (it rewrites that folder only) and review the lockfile's diff in a pull request like any other change to what runs with the tenant's identities.`,
    '',
    'The delta links that make snapshots incremental are not in the tree but in git notes (ref `refs/notes/entra-gitops`, on the tree of `snapshots/<tenant>` they describe), so a revert or a merge of snapshot commits never conflicts on them. `git clone` and `git push` leave notes out: `entra-gitops snapshot --push` fetches and pushes them, the workflows do it in backup and gitops mode, and by hand it is `git fetch origin refs/notes/entra-gitops:refs/notes/entra-gitops` and `git push origin refs/notes/entra-gitops`. Without them a snapshot only reads the tenant in full.',
  );
  return `${out.join('\n')}\n`;
}

/** Every file init writes, in a fixed order. `templates` maps a workflow's name to its
 * template; `schemas` maps a file name in schemas/ to its text. */
export function scaffold(o: ScaffoldOptions, templates: Readonly<Record<WorkflowName, string>>, schemas: ReadonlyMap<string, string>): ScaffoldFile[] {
  const files: ScaffoldFile[] = [
    { path: CONFIG_FILE, text: configText(o) },
    { path: '.gitattributes', text: attributesText(), block: ATTRIBUTES_BLOCK },
    { path: 'README.md', text: setupText(o), block: README_BLOCK },
  ];
  for (const name of WORKFLOW_NAMES) files.push({ path: `.github/workflows/${name}.yml`, text: renderWorkflow(name, templates[name], o) });
  for (const [name, text] of [...schemas].sort(([a], [b]) => a.localeCompare(b))) files.push({ path: `schemas/${name}`, text });
  return files;
}

export type MergeAction = 'created' | 'unchanged' | 'added-section' | 'kept' | 'overwritten';

/** What becomes of a file given what is there now: created when missing, left when it is
 * already what init writes, left and reported as `kept` when it differs (a person's edit),
 * unless `force`. A block is appended to a file that lacks it; the text around it is never
 * touched. */
export function mergeFile(file: ScaffoldFile, existing: string | undefined, force: boolean): { action: MergeAction; text: string } {
  if (!file.block) {
    if (existing === undefined) return { action: 'created', text: file.text };
    if (existing === file.text) return { action: 'unchanged', text: existing };
    return force ? { action: 'overwritten', text: file.text } : { action: 'kept', text: existing };
  }
  const block = `${file.block.begin}\n${file.text}${file.block.end}\n`;
  if (existing === undefined) return { action: 'created', text: block };
  const start = existing.indexOf(file.block.begin);
  const stop = start < 0 ? -1 : existing.indexOf(file.block.end, start);
  if (start < 0 || stop < 0) {
    const sep = existing === '' || existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
    return { action: 'added-section', text: `${existing}${sep}${block}` };
  }
  const endAt = stop + file.block.end.length + (existing[stop + file.block.end.length] === '\n' ? 1 : 0);
  const current = existing.slice(start, endAt);
  if (current === block) return { action: 'unchanged', text: existing };
  if (!force) return { action: 'kept', text: existing };
  return { action: 'overwritten', text: `${existing.slice(0, start)}${block}${existing.slice(endAt)}` };
}
