// The Import form: pick a file, see the format the lab detects (and why), override it if need be,
// choose what a bad record does, and import into a new dataset. Errors are listed by line.
import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { FORMAT_LABELS, FormatName } from '../../../shared/records';
import type { FormatName as Format } from '../../../shared/records';
import { DATASET_KIND_LABELS, MAX_IMPORT_BYTES } from '../../../shared/schemas';
import type { ImportResult } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { formatBytes } from '../files';
import { Link } from '../router';
import { Alert, Field } from './ui';
import { NOUN, plural } from './ExampleFields';

type Detection = Awaited<ReturnType<typeof lab.inspectImport>>;
type OnError = 'skip' | 'refuse';

/** Errors listed in full; the rest are counted. */
const SHOWN_ERRORS = 20;
const ON_ERROR: { value: OnError; label: string; hint: string }[] = [
  { value: 'skip', label: 'Keep the good records', hint: 'bad records are left out and listed' },
  { value: 'refuse', label: 'Import nothing', hint: 'if any record is bad' },
];

interface Picked {
  name: string;
  size: number;
  text: string;
}

const baseName = (file: string) => file.replace(/\.(jsonl?|ndjson)$/i, '') || file;

function ErrorList({ errors }: { errors: ImportResult['errors'] }) {
  const more = errors.length - SHOWN_ERRORS;
  return (
    <>
      <ul className="import-errors">
        {errors.slice(0, SHOWN_ERRORS).map((e, i) => (
          <li key={i}>{e.message}</li>
        ))}
      </ul>
      {more > 0 && <p className="muted">and {plural(more, 'more problem', 'more problems')}.</p>}
    </>
  );
}

function Outcome({ result, onOpen }: { result: ImportResult; onOpen: () => void }) {
  if (!result.dataset) {
    return (
      <div className="alert import-outcome" role="alert">
        <p>
          <strong>Nothing was imported.</strong>{' '}
          {result.errors.length > 0 &&
            `${plural(result.errors.length, 'problem was', 'problems were')} found:`}
        </p>
        <ErrorList errors={result.errors} />
      </div>
    );
  }
  const noun = NOUN[result.dataset.kind];
  return (
    <div className="success import-outcome" role="status">
      <p>
        <strong>
          Imported {plural(result.imported, noun.one, noun.many)} into “{result.dataset.name}”.
        </strong>{' '}
        {result.format && `Read as ${FORMAT_LABELS[result.format]}.`}
      </p>
      {result.errors.length > 0 && (
        <>
          <p>{plural(result.errors.length, 'record was', 'records were')} left out:</p>
          <ErrorList errors={result.errors} />
        </>
      )}
      <p>
        <Link to={`/datasets/${result.dataset.id}`} className="button primary" onClick={onOpen}>
          Open dataset
        </Link>
      </p>
    </div>
  );
}

export function ImportForm({ onCancel, onImported }: { onCancel: () => void; onImported: () => void }) {
  const [file, setFile] = useState<Picked | null>(null);
  const [phase, setPhase] = useState<'idle' | 'reading' | 'detecting' | 'ready' | 'importing'>('idle');
  const [detection, setDetection] = useState<Detection | null>(null);
  const [format, setFormat] = useState<Format | ''>('');
  const [name, setName] = useState('');
  const [onError, setOnError] = useState<OnError>('skip');
  const [result, setResult] = useState<ImportResult | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const generation = useRef(0);

  const pick = async (picked: File | undefined) => {
    const mine = ++generation.current;
    setFile(null);
    setDetection(null);
    setResult(null);
    setErrors(NO_ERRORS);
    if (!picked) return setPhase('idle');
    setName(baseName(picked.name));
    if (picked.size > MAX_IMPORT_BYTES) {
      setPhase('idle');
      return setErrors({
        fields: { file: `${picked.name} is ${formatBytes(picked.size)}; the lab imports files up to 64 MB.` },
        general: null,
      });
    }
    try {
      setPhase('reading');
      const text = await picked.text();
      if (mine !== generation.current) return;
      setFile({ name: picked.name, size: picked.size, text });
      setPhase('detecting');
      const found = await lab.inspectImport({ text });
      if (mine !== generation.current) return;
      setDetection(found);
    } catch (e) {
      if (mine !== generation.current) return;
      setErrors({ fields: { file: errorMessage(e) }, general: null });
    }
    if (mine === generation.current) setPhase('ready');
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return setErrors({ fields: { file: 'Choose a file to import.' }, general: null });
    setPhase('importing');
    setResult(null);
    setErrors(NO_ERRORS);
    try {
      const done = await lab.importDataset({ text: file.text, name, onError, ...(format ? { format } : {}) });
      setResult(done);
      if (done.dataset) onImported();
    } catch (error) {
      setErrors(formErrors(error, ['name', 'format', 'onError', 'text']));
    } finally {
      setPhase('ready');
    }
  };

  const busy = phase === 'reading' || phase === 'detecting' || phase === 'importing';
  const detected = detection?.format ? FORMAT_LABELS[detection.format] : null;
  const imported = result?.dataset != null;

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-busy={busy} className="import-form">
      {errors.general && <Alert>{errors.general}</Alert>}
      <fieldset disabled={phase === 'importing' || imported} className="plain">
        <Field
          label="File"
          error={errors.fields.file ?? errors.fields.text}
          hint="JSON or JSONL: TRL, ShareGPT, Alpaca or Anthropic HH records."
        >
          {(p) => (
            <input
              {...p}
              type="file"
              accept=".json,.jsonl,application/json"
              onChange={(e) => void pick(e.target.files?.[0])}
            />
          )}
        </Field>

        {(phase === 'reading' || phase === 'detecting') && (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" />
            {phase === 'reading' ? 'Reading the file…' : 'Detecting the format…'}
          </p>
        )}
        {file && detection && (
          <div className={`detection${detected ? '' : ' detection-unknown'}`} role="status">
            <p>
              <strong>{detected ? `Detected: ${detected}` : 'Format not recognised'}</strong>
              {detection.kind && ` · ${DATASET_KIND_LABELS[detection.kind]}`} ·{' '}
              {detection.container === 'jsonl' ? 'JSONL' : 'JSON'} · {formatBytes(file.size)}
            </p>
            <p className="muted">
              {detection.reason[0]!.toUpperCase() + detection.reason.slice(1)}.
              {!detected && ' Choose a format below to read it anyway.'}
            </p>
          </div>
        )}

        <div className="form-grid">
          <Field label="Format" error={errors.fields.format}>
            {(p) => (
              <select {...p} value={format} onChange={(e) => setFormat(e.target.value as Format | '')}>
                <option value="">{detected ? `Detected: ${detected}` : 'Detected (none)'}</option>
                {FormatName.options.map((f) => (
                  <option key={f} value={f}>
                    {FORMAT_LABELS[f]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Name" error={errors.fields.name}>
            {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
        </div>

        <fieldset className="radio-group">
          <legend>On errors</legend>
          {ON_ERROR.map((o) => (
            <label key={o.value}>
              <input
                type="radio"
                name="onError"
                value={o.value}
                checked={onError === o.value}
                onChange={() => setOnError(o.value)}
              />
              {o.label} <span className="muted">— {o.hint}</span>
            </label>
          ))}
        </fieldset>
      </fieldset>

      {phase === 'importing' && file && (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Importing {formatBytes(file.size)}… large files take
          a few seconds.
        </p>
      )}
      {result && <Outcome result={result} onOpen={onCancel} />}

      <div className="form-actions">
        <button type="button" className="secondary" onClick={onCancel}>
          {imported ? 'Close' : 'Cancel'}
        </button>
        {!imported && (
          <button type="submit" className="primary" disabled={busy || !file}>
            Import
          </button>
        )}
      </div>
    </form>
  );
}
