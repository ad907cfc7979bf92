// Checks a file of recorded requests (src/emulator/http/record.ts) against Microsoft's metadata
// and the documented exceptions, and says what contradicts it, request by request. Does I/O
// (reads the record file).
import { existsSync, readFileSync } from 'node:fs';
import type { RecordedRequest } from '../../src/emulator/http/record.ts';
import { checkRequest, type Violation } from './check.ts';
import { EXCEPTIONS, type ConformanceException } from './exceptions.ts';
import { graphModels, type Version } from './model.ts';

export interface ConformanceReport {
  requests: number;
  /** Distinct request shapes (method, template, names used). */
  shapes: number;
  violations: Violation[];
  /** Exceptions that excused something, with what. */
  excused: Array<{ exception: ConformanceException; violation: Violation }>;
  /** Each distinct method and path template called, for the permission check. */
  calls: Array<{ method: string; template: string }>;
}

export function readRecord(file: string): RecordedRequest[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedRequest);
}

export function matches(e: ConformanceException, v: Violation): boolean {
  return v.request === `${e.method} ${e.template}` && v.code === e.code && v.subject === e.subject;
}

export function checkRecorded(requests: readonly RecordedRequest[], exceptions: readonly ConformanceException[] = EXCEPTIONS): ConformanceReport {
  const models = graphModels();
  const seen = new Map<string, Violation>();
  const shapes = new Set<string>();
  const calls = new Map<string, { method: string; template: string }>();
  for (const req of requests) {
    const model = models[req.version as Version];
    if (!model) continue;
    const { template, violations } = checkRequest(model, req);
    calls.set(`${req.method} ${template}`, { method: req.method, template });
    shapes.add(JSON.stringify([req.method, template, req.query.$select, req.query.$expand, req.bodyKeys, req.bodyType]));
    for (const v of violations) seen.set(`${v.request}|${v.code}|${v.subject}`, v);
  }
  const violations: Violation[] = [];
  const excused: ConformanceReport['excused'] = [];
  for (const v of seen.values()) {
    const e = exceptions.find((x) => matches(x, v));
    if (e) excused.push({ exception: e, violation: v });
    else violations.push(v);
  }
  violations.sort((a, b) => a.request.localeCompare(b.request) || a.subject.localeCompare(b.subject));
  return { requests: requests.length, shapes: shapes.size, violations, excused, calls: [...calls.values()] };
}

/** The report as text: each request the metadata contradicts, and the fact it contradicts. */
export function formatViolations(report: ConformanceReport): string {
  const models = graphModels();
  const lines = [
    `${report.violations.length} Graph request name(s) contradict Microsoft's published metadata (${models['v1.0'].source}; beta: ${models.beta.source}):`,
    ...report.violations.map((v) => `- ${v.request}: ${v.message} [${v.code}]`),
    'Fix the request, or — when a documentation page shows Graph accepting it — add it to test/conformance/exceptions.ts with that page.',
  ];
  return lines.join('\n');
}
