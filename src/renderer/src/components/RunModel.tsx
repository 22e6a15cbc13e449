// The model a run produced: its shape and lineage, and where to go next with it: for a language
// model the playground, an evaluation or an SFT run that starts from it; for a reward model the
// scoring view or a PPO run that it scores.
import type { Algorithm, Model } from '../../../shared/schemas';
import { lab } from '../lab';
import { useLoad } from '../hooks';
import { Link } from '../router';
import '../runs-worlds.css';

const describe = (m: Model): string => {
  const a = m.arch;
  const parts = [
    typeof a.preset === 'string' ? a.preset : null,
    typeof a.nLayers === 'number' && typeof a.dModel === 'number'
      ? `${a.nLayers} layers × ${a.dModel}`
      : null,
    typeof a.vocabSize === 'number' ? `vocabulary ${a.vocabSize}` : null,
    typeof a.tokenizer === 'string' ? `tokenizer ${a.tokenizer === 'byte' ? 'bytes' : 'BPE'}` : null,
  ];
  return parts.filter(Boolean).join(' · ');
};

export function RunModel(props: {
  modelId: number;
  algorithm: Algorithm;
  onFineTune: () => void;
  onEvaluate: () => void;
  /** A reward model: open the New run form for PPO scored by it. */
  onTrainPpo: () => void;
}) {
  const { modelId, algorithm, onFineTune, onEvaluate, onTrainPpo } = props;
  const { data } = useLoad(() => lab.listModels());
  const models = data.state === 'ready' ? data.value : [];
  const model = models.find((m) => m.id === modelId);
  const parent = model?.parentId != null ? models.find((m) => m.id === model.parentId) : undefined;
  // The DPO tutorial's 50-token model reads no text: there is nothing to chat with or fine-tune.
  const text = model?.arch.tokenizer !== 'seed-dpo';
  // A reward model scores; it does not chat. Until the list loads, a reward run's model is one.
  const reward = model ? model.kind === 'reward' : algorithm === 'reward';

  return (
    <section className="card run-model" aria-labelledby="run-model-title">
      <div>
        <h2 id="run-model-title" className="run-model-title">
          Model #{modelId}
          {model && <span className="muted"> — {model.name}</span>}
        </h2>
        {data.state === 'error' && <p className="hint">Could not load the model's details.</p>}
        {model && <p className="hint">{describe(model)}</p>}
        {model?.parentId != null && (
          <p className="hint">
            Fine-tuned from model #{model.parentId}
            {parent?.runId != null && (
              <>
                {' '}
                (<Link to={`/runs/${parent.runId}`}>{parent.name}</Link>)
              </>
            )}
          </p>
        )}
      </div>
      {reward && (
        <div className="header-actions">
          <Link to={`/reward-models?model=${modelId}`} className="button secondary">
            Score responses
          </Link>
          <button type="button" className="primary" onClick={onTrainPpo}>
            Train PPO with it
          </button>
        </div>
      )}
      {text && !reward && (
        <div className="header-actions">
          <Link to={`/playground?model=${modelId}`} className="button secondary">
            Open in playground
          </Link>
          <button type="button" className="secondary" onClick={onEvaluate}>
            Evaluate
          </button>
          {algorithm !== 'dpo' && (
            <button type="button" className="primary" onClick={onFineTune}>
              Fine-tune with SFT
            </button>
          )}
        </div>
      )}
    </section>
  );
}
