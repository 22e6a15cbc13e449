// Sandbox worlds on the Datasets page: the "Generate from sandbox world" form and the list of worlds.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { WorldSize } from '../../../shared/schemas';
import type { WorldSummary } from '../../../shared/schemas';
import { lab } from '../lab';
import { useLoad } from '../hooks';
import { Link, navigate } from '../router';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, Field, LoadError, When } from './ui';
import '../runs-worlds.css';

type Size = WorldSummary['size'];

/** What each size holds (src/main/engine/world/types.ts, WORLD_SIZES). */
export const SIZE_LABELS: Record<Size, string> = {
  tiny: 'Tiny — 8 places, 8 creatures, 40 sums',
  small: 'Small — 24 places, 24 creatures, 120 sums',
  medium: 'Medium — 64 places, 64 creatures, 300 sums',
};
const SIZE_NAMES: Record<Size, string> = { tiny: 'Tiny', small: 'Small', medium: 'Medium' };

const randomSeed = (): string => String(Math.floor(Math.random() * 10_000));

export function GenerateWorldForm({ onCancel }: { onCancel: () => void }) {
  const [seed, setSeed] = useState(randomSeed);
  const [size, setSize] = useState<Size>('tiny');
  const [noise, setNoise] = useState('0');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const n = Number(seed);
      const world = await lab.generateWorld({
        seed: seed.trim() !== '' && Number.isFinite(n) ? n : NaN,
        size,
        ...(noise.trim() === '' || Number(noise) === 0 ? {} : { sftNoise: Number(noise) / 100 }),
      });
      navigate(`/worlds/${world.id}`);
    } catch (error) {
      setErrors(formErrors(error, ['seed', 'size', 'sftNoise']));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <p className="hint world-intro">
        A made-up world of lands and creatures, written out as a pretraining corpus, SFT pairs, preference
        pairs, safety data and unanswerable questions, with held-out facts to evaluate on. The same seed and
        size always give the same world.
      </p>
      {errors.general && <Alert>{errors.general}</Alert>}
      <div className="form-grid">
        <Field label="Seed" error={errors.fields.seed} hint="Any whole number from 0.">
          {(p) => (
            <input
              {...p}
              type="number"
              inputMode="numeric"
              step="1"
              min="0"
              value={seed}
              onChange={(e) => setSeed(e.target.value)}
            />
          )}
        </Field>
        <Field label="Size" error={errors.fields.size} hint="Bigger worlds take longer to learn.">
          {(p) => (
            <select {...p} value={size} onChange={(e) => setSize(e.target.value as Size)}>
              {WorldSize.options.map((s) => (
                <option key={s} value={s}>
                  {SIZE_LABELS[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Noisy SFT examples (%)"
          error={errors.fields.sftNoise}
          hint="Share of SFT pairs whose response becomes spam, repetition, boilerplate or word salad, tagged so you can find them."
        >
          {(p) => (
            <input
              {...p}
              type="number"
              inputMode="decimal"
              step="any"
              min="0"
              max="100"
              value={noise}
              onChange={(e) => setNoise(e.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="form-actions">
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Generating…' : 'Generate'}
        </button>
      </div>
    </form>
  );
}

/** The generated worlds, newest first; nothing at all when there are none. */
export function WorldList() {
  const { data, reload } = useLoad(() => lab.listWorlds());
  if (data.state === 'loading') return null;
  if (data.state === 'error') return <LoadError error={data.error} retry={() => void reload()} />;
  if (data.value.length === 0) return null;
  const worlds = [...data.value].sort((a, b) => b.id - a.id);
  return (
    <section aria-labelledby="worlds-title" className="world-list">
      <h2 id="worlds-title" className="section-title">
        Worlds <span className="count">{worlds.length}</span>
      </h2>
      <div className="card table-scroll">
        <table className="data-table">
          <caption className="visually-hidden">Sandbox worlds</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col" className="num">
                Seed
              </th>
              <th scope="col" className="num">
                Facts
              </th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {worlds.map((w) => (
              <tr key={w.id}>
                <th scope="row">
                  <Link to={`/worlds/${w.id}`}>{w.name}</Link>
                </th>
                <td>{SIZE_NAMES[w.size]}</td>
                <td className="num">{w.seed}</td>
                <td className="num">{w.counts.facts ?? '—'}</td>
                <td>
                  <When iso={w.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
