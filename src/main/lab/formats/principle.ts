// A constitution's principle as a file holds it: one JSON object per principle, with the fields of
// PrincipleRecord (records.ts): `name`, `critique`, `revision`, and optionally `triggers` (a list of
// regular expressions), `triggerOn`, `minWords` and `strategy`, which take their defaults when absent.
// It is how the lab exports a constitution and reads one back; the same JSONL a user can write by hand.
import { patternProblem } from '../../../shared/examples';
import { describeValue, fail, has, isBlank, join, list, text, type Obj } from './fields';
import type { PrincipleRecord } from './types';

/** A principle is told apart by its two requests. */
export const isPrinciple = (o: Obj): boolean => 'critique' in o && 'revision' in o;

const TRIGGER_ON = ['prompt', 'response'] as const;
const STRATEGIES = ['refuse', 'hedge', 'expand', 'none'] as const;

function required(o: Obj, key: string): string {
  const t = text(o, key);
  if (isBlank(t)) fail(key, 'is empty');
  return t.trim();
}

function oneOf<T extends string>(o: Obj, key: string, options: readonly T[], fallback: T): T {
  if (!has(o, key)) return fallback;
  const v = o[key];
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    const found = typeof v === 'string' ? `"${v}"` : describeValue(v);
    fail(key, `must be ${options.map((x) => `"${x}"`).join(', ')} (found ${found})`);
  }
  return v as T;
}

export function readPrinciple(o: Obj): PrincipleRecord {
  const triggers = has(o, 'triggers')
    ? list(o, 'triggers').map((p, i) => {
        const field = join('triggers', i);
        if (typeof p !== 'string') return fail(field, `must be text (found ${describeValue(p)})`);
        const problem = patternProblem(p);
        if (problem) fail(field, `is not a valid regular expression (${problem})`);
        return p;
      })
    : [];
  let minWords = 0;
  if (has(o, 'minWords')) {
    const m = o['minWords'];
    if (typeof m !== 'number' || !Number.isSafeInteger(m) || m < 0)
      fail(
        'minWords',
        `must be a whole number, 0 or more (found ${typeof m === 'number' ? m : describeValue(m)})`,
      );
    minWords = m as number;
  }
  return {
    name: required(o, 'name'),
    critique: required(o, 'critique'),
    revision: required(o, 'revision'),
    triggers,
    triggerOn: oneOf(o, 'triggerOn', TRIGGER_ON, 'response'),
    minWords,
    strategy: oneOf(o, 'strategy', STRATEGIES, 'none'),
  };
}
