// UNSUPPORTED.md: every object, property and link of the snapshot that the exported program
// does not declare, with why, grouped by object. Names come from the tenant and are escaped as the
// difference report escapes them (src/report/markdown.ts). Pure.
import { KINDS } from '../../kinds/index.ts';
import { codeSpan, escapeMarkdown } from '../../report/markdown.ts';
import type { Unsupported } from './model.ts';

const KIND_ORDER = new Map(KINDS.map((k, i) => [k.name, i]));

/** Tenant text for a Markdown line: the report's escaping, after the line and paragraph
 * separators, which some editors break lines at, have become spaces. */
function text(value: string): string {
  return escapeMarkdown(value.replace(/[\u2028\u2029]/g, ' '));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface UnsupportedInput {
  tenantId: string;
  commit: string;
  objects: number;
  declaredObjects: number;
  resources: number;
  unsupported: readonly Unsupported[];
}

export function renderUnsupported(input: UnsupportedInput): string {
  const order = (u: Unsupported) => KIND_ORDER.get(u.ref.kind) ?? 99;
  const sorted = [...input.unsupported].sort((a, b) => order(a) - order(b) || compare(a.name, b.name) || compare(a.ref.id, b.ref.id) || compare(a.path, b.path));
  const whole = sorted.filter((u) => u.path === '');
  const parts = sorted.filter((u) => u.path !== '');
  const lines = [
    '# What this program does not declare',
    '',
    `The snapshot of tenant \`${input.tenantId}\` at commit \`${input.commit}\` holds ${input.objects} object(s); \`index.ts\` declares ${input.resources} resource(s) for ${input.declaredObjects} of them.`,
    'What follows has no @pulumi/azuread equivalent and is left out of the program: manage it outside Pulumi,',
    'and keep backing it up with entra-gitops.',
    '',
  ];
  if (sorted.length === 0) {
    lines.push('Nothing: every object, property and link of the snapshot is declared.', '');
    return lines.join('\n');
  }
  lines.push(`## Objects not declared (${whole.length})`, '');
  if (whole.length === 0) lines.push('None.', '');
  else {
    lines.push('| kind | object | id | why |', '|---|---|---|---|');
    for (const u of whole) lines.push(`| ${u.ref.kind} | ${text(u.name)} | ${codeSpan(u.ref.id)} | ${text(u.reason)} |`);
    lines.push('');
  }
  const byObject = new Map<string, Unsupported[]>();
  for (const u of parts) {
    const key = `${u.ref.kind}/${u.ref.id}`;
    byObject.set(key, [...(byObject.get(key) ?? []), u]);
  }
  lines.push(`## Properties and links not declared (${parts.length}, in ${byObject.size} object(s))`, '');
  if (byObject.size === 0) lines.push('None.', '');
  for (const entries of byObject.values()) {
    const first = entries[0] as Unsupported;
    lines.push(`### ${first.ref.kind}: ${text(first.name)} (${codeSpan(first.ref.id)})`, '');
    // One line per reason, its paths together: an object with ten properties the provider lacks
    // reads as one line, not ten.
    const byReason = new Map<string, string[]>();
    for (const u of entries) byReason.set(u.reason, [...(byReason.get(u.reason) ?? []), u.path]);
    for (const [reason, paths] of byReason) lines.push(`- ${paths.map(codeSpan).join(', ')}: ${text(reason)}`);
    lines.push('');
  }
  return lines.join('\n');
}
