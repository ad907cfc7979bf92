// The pure half of building the Pulumi CLI from its Go module: reading a go.mod's `go` line and
// `replace` directives, writing the wrapper module's go.mod, and comparing Pulumi versions. Pure.

/** One `replace` directive: `from [fromVersion] => to [toVersion]`. */
export interface GoReplace {
  from: string;
  fromVersion?: string;
  to: string;
  toVersion?: string;
}

export interface GoRequirement {
  path: string;
  version: string;
}

/** Strips a `//` comment; module paths and versions never contain one. */
function uncomment(line: string): string {
  const at = line.indexOf('//');
  return (at >= 0 ? line.slice(0, at) : line).trim();
}

function parseReplace(body: string): GoReplace | undefined {
  const [left, right] = body.split('=>').map((s) => s.trim().split(/\s+/).filter(Boolean));
  if (!left || !right || left.length < 1 || left.length > 2 || right.length < 1 || right.length > 2) return undefined;
  const r: GoReplace = { from: left[0]!, to: right[0]! };
  if (left[1]) r.fromVersion = left[1];
  if (right[1]) r.toVersion = right[1];
  return r;
}

/** Every `replace` directive of a go.mod, single-line and in blocks, in file order. */
export function parseGoModReplaces(text: string): GoReplace[] {
  const out: GoReplace[] = [];
  let inBlock = false;
  for (const raw of text.split('\n')) {
    const line = uncomment(raw);
    if (inBlock) {
      if (line === ')') inBlock = false;
      else if (line) {
        const r = parseReplace(line);
        if (r) out.push(r);
      }
      continue;
    }
    if (/^replace\s*\($/.test(line)) inBlock = true;
    else if (/^replace\s/.test(line)) {
      const r = parseReplace(line.slice('replace'.length));
      if (r) out.push(r);
    }
  }
  return out;
}

/** The version on a go.mod's `go` line (the least Go it builds with), or undefined. */
export function goModGoVersion(text: string): string | undefined {
  for (const raw of text.split('\n')) {
    const m = /^go\s+(\d+\.\d+(?:\.\d+)?)$/.exec(uncomment(raw));
    if (m) return m[1];
  }
  return undefined;
}

/** A replacement by a directory (`../sdk`) only makes sense inside the repository it came
 * from; the wrapper gets that module from the proxy at the pinned version instead. */
export function isLocalReplace(r: GoReplace): boolean {
  return r.to.startsWith('./') || r.to.startsWith('../') || r.to.startsWith('/') || r.to === '.' || r.to === '..';
}

/** The go.mod of the wrapper module: requires the Pulumi modules at one tag, repeats the
 * replacements they need, and lists the commands to build as `tool`s so that `go mod tidy`
 * keeps every package they import. */
export function wrapperGoMod(input: { module: string; goVersion: string; requires: GoRequirement[]; replaces: GoReplace[]; tools: string[] }): string {
  const lines = [`module ${input.module}`, '', `go ${input.goVersion}`, ''];
  lines.push('require (', ...input.requires.map((r) => `\t${r.path} ${r.version}`), ')', '');
  if (input.replaces.length > 0) {
    const side = (path: string, version: string | undefined): string => (version ? `${path} ${version}` : path);
    lines.push('replace (', ...input.replaces.map((r) => `\t${side(r.from, r.fromVersion)} => ${side(r.to, r.toVersion)}`), ')', '');
  }
  lines.push(...input.tools.map((t) => `tool ${t}`), '');
  return lines.join('\n');
}

/** The higher of two Go versions (`1.26` < `1.26.6`). */
export function maxGoVersion(a: string, b: string): string {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? -1;
    const y = pb[i] ?? -1;
    if (x !== y) return x > y ? a : b;
  }
  return a;
}

/** `3.274.1` from `pulumi version` output such as `v3.274.1` (or `v3.274.1-dev.0`). */
export function parsePulumiVersion(output: string): string | undefined {
  const m = /v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(output.trim());
  return m?.[1];
}

function core(v: string): [number, number, number, boolean] {
  const [main, pre] = v.split('-', 2);
  const [a = 0, b = 0, c = 0] = (main ?? '').split('.').map(Number);
  return [a, b, c, pre !== undefined];
}

/** A Pulumi CLI fits the pin when it has the same major version and is not older: a newer
 * v3 CLI reads the state an older one wrote and speaks the same plugin protocol, while an
 * older one may lack what the pinned SDK asks of it. Pre-releases of the pin itself do not fit. */
export function versionFits(found: string, pin: string): boolean {
  const [fa, fb, fc, fpre] = core(found);
  const [pa, pb, pc] = core(pin);
  if (fa !== pa) return false;
  if (fb !== pb) return fb > pb;
  if (fc !== pc) return fc > pc;
  return !fpre;
}
