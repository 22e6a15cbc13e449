// The hand-off to TRL in the UI: "Export for TRL" on a run's page (the project folder as one zip
// download, with what has no counterpart), "Import trainer_state.json" (an external run whose curves
// sit beside the lab's) and "Import a GPT-2 checkpoint" (a folder path on this machine: a browser
// cannot hand the host a folder) on the Runs page, and the marker an external run carries.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ALGORITHM_LABELS, Algorithm, MAX_IMPORT_BYTES } from '../../../shared/schemas';
import type { ExportTrlResult, Model, Run } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { formErrors, NO_ERRORS, type FormErrors } from '../forms';
import { formatBytes } from '../files';
import { Link, navigate } from '../router';
import { Dialog } from './Dialog';
import { Alert, Field } from './ui';
import '../trl.css';

/** Algorithms a TRL project can be made for (see src/main/lab/trl/mapping.ts). */
const EXPORTABLE: readonly Run['algorithm'][] = ['pretrain', 'sft', 'reward', 'dpo', 'ppo'];

function saveBase64(filename: string, base64: string, type: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "Export for TRL": builds the project, downloads it as a zip, and says what has no counterpart. */
export function TrlExportButton({ run }: { run: Run }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ExportTrlResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!EXPORTABLE.includes(run.algorithm) || run.external) return null;
  const exportIt = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await lab.exportTrl({ runId: run.id });
      saveBase64(r.filename, r.base64, 'application/zip');
      setResult(r);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const open = result !== null || error !== null;
  const close = () => {
    setResult(null);
    setError(null);
  };
  return (
    <>
      <button
        type="button"
        className="secondary"
        disabled={busy}
        aria-busy={busy}
        title="Write this run as a TRL project (data, model, config, train.py, accelerate and Slurm launchers) to train at scale"
        onClick={() => void exportIt()}
      >
        {busy ? 'Exporting…' : 'Export for TRL'}
      </button>
      <Dialog title="Export for TRL" open={open} onClose={close}>
        {error && <Alert>{error}</Alert>}
        {result && (
          <div role="status" className="trl-export">
            <p>
              <strong>Downloaded {result.filename}</strong>: a project for TRL&apos;s {result.trainer} (
              {result.files.length} files). Unzip it and run <code>python train.py --config config.yaml</code>
              ; its README says how to launch it on several GPUs or a Slurm cluster, and how to bring{' '}
              <code>trainer_state.json</code> back.
            </p>
            {result.noCounterpart.length > 0 && (
              <>
                <p>Lab settings without a counterpart in TRL:</p>
                <ul>
                  {result.noCounterpart.map((f) => (
                    <li key={f.lab}>
                      <code>{f.lab}</code>: {f.reason}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <p className="muted">
              Headless: <code>npm run lab -- export-trl {run.id} --out DIR</code>
            </p>
          </div>
        )}
        <div className="form-actions">
          <button type="button" className="primary" onClick={close}>
            Close
          </button>
        </div>
      </Dialog>
    </>
  );
}

/** What an external run is, on its page: where its logs came from, and that it has no model. */
export function ExternalRunNote({ run }: { run: Run }) {
  if (!run.external) return null;
  const e = run.external;
  return (
    <p className="external-run" role="note">
      <strong>External run</strong>: trained outside the lab; its metrics were imported from{' '}
      <code>{e.source}</code> ({e.format === 'trainer_state' ? 'a trainer_state.json' : 'logged lines'}) on{' '}
      {new Date(e.importedAt).toLocaleString()}. It has no model, checkpoints or inputs here, so it can be
      compared but not resumed, exported or evaluated.
    </p>
  );
}

function ImportRunForm({ onDone }: { onDone: () => void }) {
  const [file, setFile] = useState<{ name: string; text: string; size: number } | null>(null);
  const [name, setName] = useState('');
  const [algorithm, setAlgorithm] = useState<Run['algorithm'] | ''>('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const pick = async (f: File | undefined) => {
    setErrors(NO_ERRORS);
    setFile(null);
    if (!f) return;
    if (f.size > MAX_IMPORT_BYTES)
      return setErrors({
        fields: { text: `${f.name} is ${formatBytes(f.size)}; the limit is 64 MB.` },
        general: null,
      });
    setFile({ name: f.name, text: await f.text(), size: f.size });
    if (!name) setName(`${f.name.replace(/\.json$/i, '')} (imported)`);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return setErrors({ fields: { text: 'Choose a trainer_state.json.' }, general: null });
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const run = await lab.importRun({
        text: file.text,
        name,
        source: file.name,
        ...(algorithm ? { algorithm } : {}),
      });
      onDone();
      navigate(`/runs/${run.id}`);
    } catch (error) {
      setErrors(formErrors(error, ['text', 'name', 'algorithm']));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-busy={busy}>
      {errors.general && <Alert>{errors.general}</Alert>}
      <Field
        label="File"
        error={errors.fields.text}
        hint="A Hugging Face trainer_state.json (its log_history), e.g. from a TRL project's output folder, or TRL's logged dicts one a line."
      >
        {(p) => (
          <input
            {...p}
            type="file"
            accept=".json,.jsonl,.log,.txt"
            onChange={(e) => void pick(e.target.files?.[0])}
          />
        )}
      </Field>
      <div className="form-grid">
        <Field label="Name" error={errors.fields.name}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field
          label="Kind of run"
          error={errors.fields.algorithm}
          hint="Guessed from the metric names when left as is."
        >
          {(p) => (
            <select
              {...p}
              value={algorithm}
              onChange={(e) => setAlgorithm(e.target.value as Run['algorithm'] | '')}
            >
              <option value="">Guess from the metrics</option>
              {Algorithm.options
                .filter((a) => a !== 'eval' && a !== 'cai')
                .map((a) => (
                  <option key={a} value={a}>
                    {ALGORITHM_LABELS[a]}
                  </option>
                ))}
            </select>
          )}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}

function ImportModelForm({ onDone }: { onDone: () => void }) {
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [model, setModel] = useState<Model | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      setModel(await lab.importModel({ path, ...(name.trim() ? { name } : {}) }));
      onDone();
    } catch (error) {
      setErrors(formErrors(error, ['path', 'name']));
    } finally {
      setBusy(false);
    }
  };
  if (model)
    return (
      <div role="status" className="success">
        <p>
          <strong>
            Imported model #{model.id} “{model.name}”
          </strong>{' '}
          (vocabulary {String(model.arch['vocabSize'])}, context {String(model.arch['contextLength'])},
          d_model {String(model.arch['dModel'])}, {String(model.arch['nLayers'])} layers).
        </p>
        <p>
          <Link to={`/playground?model=${model.id}`} className="button secondary">
            Chat with it
          </Link>{' '}
          <Link to={`/runs?new=sft&base=${model.id}`} className="button primary">
            Fine-tune it (SFT)
          </Link>
        </p>
      </div>
    );
  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-busy={busy}>
      {errors.general && <Alert>{errors.general}</Alert>}
      <Field
        label="Folder on this machine"
        error={errors.fields.path}
        hint="A GPT-2-family model folder (e.g. gpt2 or distilgpt2 from the Hugging Face cache): config.json, model.safetensors, and tokenizer.json or vocab.json + merges.txt."
      >
        {(p) => (
          <input
            {...p}
            value={path}
            placeholder="/path/to/distilgpt2"
            spellCheck={false}
            onChange={(e) => setPath(e.target.value)}
          />
        )}
      </Field>
      <Field label="Name" error={errors.fields.name} hint="Defaults to the folder's name.">
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <p className="muted">
        A large model (gpt2 has 124 M parameters) trains slowly on a CPU. Headless:{' '}
        <code>npm run lab -- import-model DIR</code>
      </p>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || path.trim() === ''}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}

/** The Runs page's import buttons and their dialogs. */
export function TrlImportButtons({ onImported }: { onImported: () => void }) {
  const [open, setOpen] = useState<'run' | 'model' | null>(null);
  const close = () => setOpen(null);
  return (
    <>
      <button type="button" className="secondary" onClick={() => setOpen('run')}>
        Import trainer_state.json
      </button>
      <button type="button" className="secondary" onClick={() => setOpen('model')}>
        Import a GPT-2 checkpoint
      </button>
      <Dialog title="Import trainer_state.json" open={open === 'run'} onClose={close}>
        <ImportRunForm
          onDone={() => {
            close();
            onImported();
          }}
        />
      </Dialog>
      <Dialog title="Import a GPT-2 checkpoint" open={open === 'model'} onClose={close}>
        <ImportModelForm onDone={onImported} />
      </Dialog>
    </>
  );
}
