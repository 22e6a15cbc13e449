// One sandbox world: what it holds, the six datasets generated from it, and its places, creatures,
// facts (by split) and evaluation sets.
import type { WorldDetail } from '../../../shared/schemas';
import { lab } from '../lab';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { LoadError, Loading, NotFound, When } from '../components/ui';
import { EvalSets, FactsTable, RowsTable, WorldTabs } from '../components/WorldTables';
import '../runs-worlds.css';

/** The generated datasets, by role, with what each one is for. */
const DATASET_ROLES: { role: string; label: string; use: string; noun: string }[] = [
  { role: 'corpus', label: 'Corpus', use: 'Pretraining: encyclopedia-style documents.', noun: 'documents' },
  { role: 'sft', label: 'SFT pairs', use: 'SFT: questions on the training facts.', noun: 'pairs' },
  {
    role: 'preferences',
    label: 'Preference pairs',
    use: 'DPO: a correct answer and a worse one.',
    noun: 'pairs',
  },
  { role: 'safety', label: 'Safety', use: 'SFT: refusals, and benign look-alikes answered.', noun: 'pairs' },
  {
    role: 'unanswerable',
    label: 'Unanswerable questions',
    use: 'SFT: saying “I don’t know” about what does not exist.',
    noun: 'pairs',
  },
  {
    role: 'redteam',
    label: 'Red-team prompts',
    use: 'Constitutional AI: harmful requests and look-alikes in wordings no other set uses.',
    noun: 'prompts',
  },
];

const COUNTS: { key: string; label: string }[] = [
  { key: 'places', label: 'Places' },
  { key: 'creatures', label: 'Creatures' },
  { key: 'facts', label: 'Facts' },
  { key: 'arithmetic', label: 'Sums' },
];

const PLACE_COLUMNS = ['name', 'capital', 'language', 'currency', 'climate', 'neighbour'];
const CREATURE_COLUMNS = ['name', 'habitat', 'diet', 'legs'];

/** The known columns first, then any others the rows have. */
const columnsOf = (rows: WorldDetail['places'], known: string[]) => {
  const keys = [...known, ...[...new Set(rows.flatMap(Object.keys))].filter((k) => !known.includes(k))];
  return keys.map((k) => ({
    key: k,
    label: k === 'neighbour' ? 'Neighbour (east)' : k[0]!.toUpperCase() + k.slice(1),
    num: rows.every((r) => r[k] === undefined || typeof r[k] === 'number'),
  }));
};

export function WorldPage({ id }: { id: number }) {
  const { data, reload } = useLoad(() => lab.getWorld({ id }));

  if (data.state === 'loading') return <Loading what="the world" />;
  if (data.state === 'error') {
    if (data.notFound)
      return (
        <NotFound
          what={`There is no world #${id}.`}
          back="/datasets"
          backLabel="Back to the list of datasets"
        />
      );
    return <LoadError error={data.error} retry={() => void reload()} />;
  }
  const { summary, places, creatures, facts, evalSets } = data.value;
  const sizeName = summary.size[0]!.toUpperCase() + summary.size.slice(1);

  return (
    <section>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/datasets">All datasets</Link> <span aria-hidden="true">/</span>
      </nav>
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>{summary.name}</h1>
          <p className="muted">
            Sandbox world · seed {summary.seed} · {sizeName} · created <When iso={summary.createdAt} />
          </p>
        </div>
      </header>

      <div className="card world-overview">
        <dl className="facts">
          {COUNTS.map((c) => (
            <div key={c.key}>
              <dt>{c.label}</dt>
              <dd>{summary.counts[c.key] ?? '—'}</dd>
            </div>
          ))}
        </dl>
      </div>

      <h2 className="section-title">Datasets</h2>
      <ul className="world-datasets">
        {DATASET_ROLES.map((d) => {
          const datasetId = summary.datasets[d.role];
          const n = summary.counts[d.role];
          return (
            <li key={d.role} className="card">
              {datasetId === undefined ? (
                <strong>{d.label}</strong>
              ) : (
                <Link to={`/datasets/${datasetId}`}>{d.label}</Link>
              )}
              {n !== undefined && (
                <span className="muted">
                  {' '}
                  · {n} {d.noun}
                </span>
              )}
              <p className="hint">{d.use}</p>
            </li>
          );
        })}
      </ul>

      <WorldTabs
        label="What the world holds"
        tabs={[
          {
            name: `Places (${places.length})`,
            content: (
              <RowsTable
                caption="Places"
                columns={columnsOf(places, PLACE_COLUMNS)}
                rows={places}
                rowKey={(r, i) => String(r.name ?? i)}
              />
            ),
          },
          {
            name: `Creatures (${creatures.length})`,
            content: (
              <RowsTable
                caption="Creatures"
                columns={columnsOf(creatures, CREATURE_COLUMNS)}
                rows={creatures}
                rowKey={(r, i) => String(r.name ?? i)}
              />
            ),
          },
          { name: `Facts (${facts.length})`, content: <FactsTable facts={facts} /> },
          { name: 'Evaluation sets', content: <EvalSets sets={evalSets} /> },
        ]}
      />
    </section>
  );
}
