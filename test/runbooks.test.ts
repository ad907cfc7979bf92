// The runbooks and the README show only commands and flags that exist: every `entra-gitops …`
// line of their code blocks is checked against the command line's own command table, and every
// relative link of a runbook names a file that is there. Reads files; runs no command.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/program.ts';

const ROOT = join(import.meta.dirname, '..');
const RUNBOOKS = join(ROOT, 'docs', 'runbooks');
const FILES = [...readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md')).map((f) => join(RUNBOOKS, f)), join(ROOT, 'README.md')];

interface Invocation {
  file: string;
  line: number;
  text: string;
  command: string;
  flags: string[];
}

/** The `entra-gitops` invocations in the fenced code blocks of a Markdown text. */
function invocations(markdown: string, file: string): Invocation[] {
  const out: Invocation[] = [];
  let fenced = false;
  markdown.split('\n').forEach((raw, i) => {
    if (/^\s*```/.test(raw)) {
      fenced = !fenced;
      return;
    }
    if (!fenced) return;
    // A shell comment starts at a '#' after whitespace; a placeholder's '#' would not.
    const code = raw.replace(/(^|\s)#.*$/, '');
    for (const part of code.split(/&&|\|\||;|\|/)) {
      const words = part.trim().replace(/^\$\s+/, '').split(/\s+/);
      const at = words[0] === 'npx' ? 1 : 0;
      if (words[at] !== 'entra-gitops') continue;
      const rest = words.slice(at + 1);
      const command = rest[0] !== undefined && !rest[0].startsWith('-') ? rest[0] : '';
      out.push({ file, line: i + 1, text: part.trim(), command, flags: rest.filter((w) => w.startsWith('-')).map((w) => w.split('=')[0] as string) });
    }
  });
  return out;
}

/** What is wrong with an invocation, or undefined when the program knows the command and flags. */
function problem(program: Command, inv: Invocation): string | undefined {
  const globals = new Set(['--help', '-h', '--version', '-V']);
  if (inv.command === '') return inv.flags.every((f) => globals.has(f)) ? undefined : `unknown global flag in '${inv.text}'`;
  const command = program.commands.find((c) => c.name() === inv.command || c.aliases().includes(inv.command));
  if (!command) return `unknown command '${inv.command}' in '${inv.text}'`;
  const known = new Set(command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)));
  const unknown = inv.flags.filter((f) => !known.has(f) && !globals.has(f));
  return unknown.length > 0 ? `unknown flag(s) ${unknown.join(', ')} for '${inv.command}' in '${inv.text}'` : undefined;
}

describe('runbook commands', () => {
  const program = buildProgram();
  const all = FILES.flatMap((file) => invocations(readFileSync(file, 'utf8'), file));

  it('finds commands in every runbook that shows any, and knows every command and flag they use', () => {
    // Each incident runbook walks through commands; an extraction that found none would pass vacuously.
    for (const name of ['mass-deletion.md', 'conditional-access-tampering.md', 'compromised-application.md', 'revert-a-bad-change.md', 'setting-up.md', 'moving-from-entra-backup.md']) {
      expect(all.filter((inv) => inv.file.endsWith(name)).length, name).toBeGreaterThan(0);
    }
    const problems = all.flatMap((inv) => {
      const p = problem(program, inv);
      return p ? [`${inv.file.slice(ROOT.length + 1)}:${inv.line}: ${p}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it('would catch a flag or a command that does not exist', () => {
    const [badFlag, badCommand, good] = invocations('```sh\nentra-gitops recover --to abc --force\nnpx entra-gitops restore --yes\nentra-gitops plan --to HEAD --out p.json # fine\n```\n', 'x.md');
    expect(problem(program, badFlag as Invocation)).toContain('--force');
    expect(problem(program, badCommand as Invocation)).toContain("unknown command 'restore'");
    expect(problem(program, good as Invocation)).toBeUndefined();
  });

  it('links only to files that exist', () => {
    const missing: string[] = [];
    for (const file of FILES) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1] as string;
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(join(dirname(file), target))) missing.push(`${file.slice(ROOT.length + 1)} → ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
