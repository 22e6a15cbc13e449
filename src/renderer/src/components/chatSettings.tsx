// The sampling settings of the playground: one row of number fields, validated with the contract's
// own GenerateInput schema before anything is sent, so each message sits under its field.
import type { FormErrors } from '../forms';
import { Field } from './ui';

export const SAMPLING_FIELDS = [
  {
    key: 'temperature',
    label: 'Temperature',
    initial: '0.7',
    step: '0.1',
    hint: '0 = always the likeliest.',
  },
  { key: 'maxNewTokens', label: 'Max new tokens', initial: '64', step: '1', hint: '1 to 1024.' },
  { key: 'topK', label: 'Top-k', initial: '0', step: '1', hint: '0 = no limit.' },
  { key: 'topP', label: 'Top-p', initial: '1', step: '0.05', hint: '1 = no limit.' },
  { key: 'seed', label: 'Seed', initial: '0', step: '1', hint: 'Same seed, same reply.' },
] as const;
export type SamplingKey = (typeof SAMPLING_FIELDS)[number]['key'];
export type SamplingText = Record<SamplingKey, string>;

export const INITIAL_SAMPLING = Object.fromEntries(
  SAMPLING_FIELDS.map((f) => [f.key, f.initial]),
) as SamplingText;
export const SAMPLING_KEYS: readonly string[] = SAMPLING_FIELDS.map((f) => f.key);

/** A number when the text is one; otherwise the raw text, so validation names the field and why. */
const toNumber = (raw: string): number | string => {
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
};

/** The settings as GenerateInput fields (strings where a number was expected fail validation). */
export const samplingValues = (text: SamplingText): Record<string, number | string> =>
  Object.fromEntries(SAMPLING_FIELDS.map((f) => [f.key, toNumber(text[f.key])]));

export function SamplingFields({
  value,
  onChange,
  errors,
}: {
  value: SamplingText;
  onChange: (key: SamplingKey, text: string) => void;
  errors: FormErrors['fields'];
}) {
  return (
    <fieldset className="plain sampling">
      <legend className="visually-hidden">Sampling</legend>
      {SAMPLING_FIELDS.map((f) => (
        <Field key={f.key} label={f.label} hint={f.hint} error={errors[f.key]}>
          {(p) => (
            <input
              {...p}
              type="number"
              inputMode="decimal"
              min={0}
              step={f.step}
              value={value[f.key]}
              onChange={(e) => onChange(f.key, e.target.value)}
            />
          )}
        </Field>
      ))}
    </fieldset>
  );
}
