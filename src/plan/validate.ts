// Checks that a value is a recovery plan (schemas/plan.schema.json, ajv 2020-12, plus what a
// schema cannot say: operations numbered in order, dependencies on earlier operations only), so
// `recover --plan FILE` refuses a file that is not one before anything is sent. Pure: the caller
// reads the file.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Plan } from '../model/types.ts';
import { jsonPath } from '../snapshot/validate.ts';
import { PLAN_SCHEMA } from './plan-schema.ts';

export type PlanValidation = { ok: true; plan: Plan } | { ok: false; errors: string[] };

let compiled: ValidateFunction | undefined;
// Compiled on first use: most commands never read a plan.
function schema(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(PLAN_SCHEMA);
  return compiled;
}

function describe(e: ErrorObject): string | undefined {
  const at = jsonPath(e.instancePath) || '(top level)';
  switch (e.keyword) {
    // The branches of an anyOf and the `if` of an if/then repeat what the keyword itself says.
    case 'if':
      return undefined;
    case 'anyOf':
      return `${at}: must be an id (a string) or an object with an id`;
    case 'additionalProperties': {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      return `${at === '(top level)' ? extra : `${at}.${extra}`}: is not part of a plan here`;
    }
    case 'false schema':
      return `${at}: a plan never carries a secret (password, secretText)`;
    case 'const':
      return `${at}: must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'enum':
      return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
    case 'required':
      return `${at}: ${String((e.params as { missingProperty: string }).missingProperty)} is missing`;
    default:
      return `${at}: ${e.message ?? e.keyword}`;
  }
}

/** Whether `value` is a plan: the plan, or every problem as 'path: problem' (schema first). */
export function validatePlan(value: unknown): PlanValidation {
  const fn = schema();
  if (!fn(value)) {
    const errors = new Set<string>();
    for (const e of fn.errors ?? []) {
      if (e.schemaPath.includes('/anyOf/')) continue;
      const d = describe(e);
      if (d !== undefined) errors.add(d);
    }
    return { ok: false, errors: [...errors] };
  }
  const plan = value as Plan;
  const errors: string[] = [];
  const seen = new Set<number>();
  plan.operations.forEach((op, i) => {
    if (op.seq !== i + 1) errors.push(`operations[${i}].seq: must be ${i + 1} (operations are numbered from 1 in the order they run)`);
    seen.add(op.seq);
    for (const d of op.dependsOn ?? []) {
      if (d >= op.seq) errors.push(`operations[${i}].dependsOn: ${d} does not run before ${op.seq} (an operation waits only for earlier ones)`);
    }
  });
  plan.skipped.forEach((s, i) => {
    if (seen.has(s.operation.seq)) errors.push(`skipped[${i}].operation.seq: ${s.operation.seq} is taken by another operation`);
    seen.add(s.operation.seq);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, plan };
}

/** Thrown when a plan file cannot be used. */
export class PlanFileError extends Error {
  readonly code: 'plan-not-json' | 'plan-invalid';
  readonly file: string;
  readonly problems: readonly string[];
  constructor(code: PlanFileError['code'], file: string, because: string, problems: readonly string[] = []) {
    super(`Could not read the plan ${file} because ${because}. (Hint: write it with entra-gitops plan --to COMMIT --out ${file}, and do not edit it by hand.)`);
    this.name = 'PlanFileError';
    this.code = code;
    this.file = file;
    this.problems = problems;
  }
}

/** The plan in a file's text, or a PlanFileError naming the file and its first problems. */
export function parsePlan(text: string, file: string): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PlanFileError('plan-not-json', file, `it is not JSON (${(e as Error).message})`);
  }
  const r = validatePlan(value);
  if (r.ok) return r.plan;
  const shown = r.errors.slice(0, 5).join('; ');
  const more = r.errors.length > 5 ? ` (and ${r.errors.length - 5} more)` : '';
  throw new PlanFileError('plan-invalid', file, `it is not a recovery plan: ${shown}${more}`, r.errors);
}
