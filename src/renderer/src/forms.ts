// Mapping a LabError's issues onto form fields, so each message appears next to the field it names.
import { LabError } from '../../shared/api';
import { errorMessage } from './lab';

export interface FormErrors {
  /** Message per field key (e.g. `chosen`, `config.beta`). */
  fields: Record<string, string>;
  /** What no field claims: shown at the top of the form. */
  general: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, general: null };

const matches = (path: string, key: string): boolean =>
  path === key || path.endsWith(`.${key}`) || key.endsWith(`.${path}`);

/** Distributes an error over `keys`; anything unclaimed becomes the general message. */
export function formErrors(error: unknown, keys: readonly string[]): FormErrors {
  if (!(error instanceof LabError) || error.issues.length === 0)
    return { fields: {}, general: errorMessage(error) };
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const issue of error.issues) {
    const key = keys.find((k) => issue.path !== '' && matches(issue.path, k));
    if (key && !(key in fields)) fields[key] = issue.message;
    else if (!key) rest.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return { fields, general: rest.length > 0 ? rest.join('; ') : null };
}
