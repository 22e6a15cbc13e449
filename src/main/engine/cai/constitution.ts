// A constitution (Constitutional AI, Bai et al. 2022): a named, editable list of principles, each with
// a critique request, a revision request and what the built-in rule-based critic checks (see
// PrincipleRecord in shared/records.ts). This file reads and validates one and compiles its trigger
// patterns; it does not critique or revise (critic.ts, revise.ts). The lab ships a default one in
// resources/constitution.json.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PrincipleRecord } from '../../../shared/records';

export const DEFAULT_CONSTITUTION_FILE = 'constitution.json';

export interface Constitution {
  name: string;
  principles: PrincipleRecord[];
}

/** A principle with its triggers compiled (case-insensitive). */
export type CompiledPrinciple = PrincipleRecord & { patterns: RegExp[] };

const ConstitutionFile = z.object({
  name: z.string().trim().min(1, 'Name is empty'),
  principles: z.array(z.unknown()).min(1, 'A constitution needs at least one principle'),
});

/**
 * A constitution from parsed JSON: `{ name, principles: PrincipleRecord[] }`. Errors name the
 * principle and the field, e.g. `principle 2 (honesty): revision: Revision request is empty`.
 */
export function parseConstitution(raw: unknown, source = 'constitution'): Constitution {
  const top = ConstitutionFile.safeParse(raw);
  if (!top.success) throw new Error(`${source}: ${describeIssues(top.error)}`);
  const principles = parsePrinciples(top.data.principles, source);
  compilePrinciples(principles, source); // a bad regex is an error now, not when a run starts
  return { name: top.data.name, principles };
}

/** Validate each principle; names must be unique (they key the `flags/<name>` metrics). */
export function parsePrinciples(raw: readonly unknown[], source = 'constitution'): PrincipleRecord[] {
  const seen = new Set<string>();
  return raw.map((p, i) => {
    const parsed = PrincipleRecord.safeParse(p);
    const name = (p as { name?: unknown } | null)?.name;
    const label = `principle ${i + 1}${typeof name === 'string' && name.trim() ? ` (${name.trim()})` : ''}`;
    if (!parsed.success) throw new Error(`${source}: ${label}: ${describeIssues(parsed.error)}`);
    if (seen.has(parsed.data.name))
      throw new Error(`${source}: ${label}: another principle is already called "${parsed.data.name}"`);
    seen.add(parsed.data.name);
    return parsed.data;
  });
}

/** Compile every principle's triggers; a bad one throws naming the principle, the pattern and why. */
export function compilePrinciples(
  principles: readonly PrincipleRecord[],
  source = 'constitution',
): CompiledPrinciple[] {
  if (principles.length === 0) throw new Error(`${source} has no principles`);
  return principles.map((p) => ({
    ...p,
    patterns: p.triggers.map((t, j) => {
      if (t.trim() === '') throw new Error(`${source}: principle "${p.name}": trigger ${j + 1} is empty`);
      try {
        return new RegExp(t, 'i');
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new Error(
          `${source}: principle "${p.name}": trigger ${j + 1} /${t}/ is not a valid regular expression (${why})`,
          { cause: err },
        );
      }
    }),
  }));
}

/** Principles the rule-based critic can never flag: no triggers and no length rule. */
export function rulelessPrinciples(principles: readonly PrincipleRecord[]): string[] {
  return principles.filter((p) => p.triggers.length === 0 && p.minWords === 0).map((p) => p.name);
}

/** The default constitution, `constitution.json` in the lab's resources folder (the lab passes it). */
export async function loadDefaultConstitution(resourcesDir: string): Promise<Constitution> {
  const file = join(resourcesDir, DEFAULT_CONSTITUTION_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`the default constitution ${file} cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseConstitution(raw, file);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
