// Choosing what to talk to: the trained models as a select (newest first, each with its shape and
// tokenizer), the chat templates (plus "none", the base-model mode), and which template suits a model.
import { TEMPLATE_LABELS, TemplateName } from '../../../shared/schemas';
import type { Model, Run } from '../../../shared/schemas';
import { Field } from './ui';

/** A chat template, or `none`: continue the last user message as plain text (what a base model does). */
export type ChatTemplate = TemplateName | 'none';

export const CHAT_TEMPLATES: readonly ChatTemplate[] = [...TemplateName.options, 'none'];
export const CHAT_TEMPLATE_LABELS: Record<ChatTemplate, string> = {
  ...TEMPLATE_LABELS,
  none: 'None (continue text, for base models)',
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** About how many weights a GPT of this shape has (embeddings + blocks, no norms), e.g. "0.9M". */
function approxParams(arch: Record<string, unknown>): string | null {
  const [V, T, d, L, f] = ['vocabSize', 'contextLength', 'dModel', 'nLayers', 'dFF'].map((k) => num(arch[k]));
  if (V == null || T == null || d == null || L == null || f == null) return null;
  const n = V * d + T * d + L * (4 * d * d + 2 * d * f);
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${Math.round(n / 1e3)}k`;
}

/** "byte" or "BPE 1024": the tokenizer a model reads with. */
export function tokenizerLabel(m: Model): string {
  const spec = m.arch['tokenizer'];
  if (spec === undefined || spec === 'byte') return 'byte';
  const vocab = num(m.arch['vocabSize']);
  return vocab ? `BPE ${vocab}` : 'BPE';
}

/** "#3 cats · byte-tiny, 119k params · byte tokenizer": the name, the shape and size, the tokenizer. */
export function modelLabel(m: Model): string {
  const preset = typeof m.arch['preset'] === 'string' ? m.arch['preset'] : null;
  const params = approxParams(m.arch);
  const shape = [preset, params && `${params} params`].filter(Boolean).join(', ');
  return `#${m.id} ${m.name}${shape ? ` · ${shape}` : ''} · ${tokenizerLabel(m)} tokenizer`;
}

/** Models newest first. */
export const newestFirst = (models: readonly Model[]): Model[] => [...models].sort((a, b) => b.id - a.id);

/**
 * The template a model was taught: an SFT run's own template; ChatML for other tuned models (their
 * parent was); none (continue text) for a pretrained base model.
 */
export function defaultTemplate(model: Model | undefined, runs: ReadonlyMap<number, Run>): ChatTemplate {
  const run = model?.runId == null ? undefined : runs.get(model.runId);
  if (!run) return 'none';
  if (run.algorithm === 'sft') {
    const t = TemplateName.safeParse(run.config['template']);
    return t.success ? t.data : 'chatml';
  }
  return run.algorithm === 'pretrain' ? 'none' : 'chatml';
}

interface SelectProps<T extends string> {
  label: string;
  value: T;
  onChange: (value: T) => void;
  hint?: string;
}

export function ModelSelect({ models, ...p }: SelectProps<string> & { models: readonly Model[] }) {
  return (
    <Field label={p.label} hint={p.hint}>
      {(f) => (
        <select {...f} value={p.value} onChange={(e) => p.onChange(e.target.value)}>
          {models.map((m) => (
            <option key={m.id} value={String(m.id)}>
              {modelLabel(m)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function TemplateSelect({ withNone, ...p }: SelectProps<ChatTemplate> & { withNone: boolean }) {
  const options = withNone ? CHAT_TEMPLATES : TemplateName.options;
  return (
    <Field label={p.label} hint={p.hint}>
      {(f) => (
        <select {...f} value={p.value} onChange={(e) => p.onChange(e.target.value as ChatTemplate)}>
          {options.map((t) => (
            <option key={t} value={t}>
              {CHAT_TEMPLATE_LABELS[t]}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
