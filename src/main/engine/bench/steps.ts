// One training (or scoring) step per benchmark workload, built from the engine's own parts — GPT,
// sequenceLogProbs, preferenceLoss, tf.train.adam — so the benchmark measures what the lab runs. Mirrors
// torch_reference.py's make_step: random token ids made once, Adam lr 1e-4, sequence log-prob = mean of
// the next-token log-probs, DPO with a frozen reference evaluated every step without gradients.
import * as tf from '@tensorflow/tfjs-core';
import { sequenceLogProbs } from '../logprobs';
import { preferenceLoss } from '../losses/preference';
import { GPT } from '../model/gpt';
import { mulberry32 } from '../random';
import { tokensPerStep, type Workload } from './workloads';

/** Adam as torch.optim.Adam's defaults: β1 0.9, β2 0.999, ε 1e-8 (tfjs's default ε is 1e-7). */
export const LEARNING_RATE = 1e-4;
export const DPO_BETA = 0.1;

export interface BenchStep {
  /** Runs one step and returns its loss (dpo, sft) or mean token log-prob (score), read back as torch's `.item()`. */
  run(): number;
  /** Tokens one step processes (as the reference counts them). */
  tokens: number;
  /** Parameters of the trained model. */
  params: number;
  /** Pieces of a step, for profiling: forward of the reference, and the policy's loss closure. */
  parts: StepParts;
  /** Releases the models, optimizer and inputs. */
  dispose(): void;
}

export interface StepParts {
  /** Forward-only work done without gradients each step (the DPO reference, or all of a score step). */
  noGrad?: () => tf.Tensor;
  /** The differentiated loss (dpo, sft); `noGrad`'s result is its input. */
  loss?: (noGradOut: tf.Tensor | undefined) => tf.Scalar;
  variables: tf.Variable[];
  optimizer?: tf.Optimizer;
}

/**
 * Inputs for next-token scoring of full `T`-token rows, without slicing the [B, T, V] logits: position t
 * predicts token t + 1, the last position has target 0 and mask 0 (torch slices `[:, :-1]`; same result).
 * `from` zeroes the mask before that position (sft scores the second half only).
 */
function nextTokenInputs(rows: number[][], T: number, from = 0) {
  const B = rows.length;
  const ids = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  rows.forEach((row, b) => {
    for (let t = 0; t < T; t++) {
      ids[b * T + t] = row[t]!;
      if (t < T - 1) {
        targets[b * T + t] = row[t + 1]!;
        if (t >= from) mask[b * T + t] = 1;
      }
    }
  });
  return {
    ids: tf.tensor2d(ids, [B, T], 'int32'), // [B, T]
    targets: tf.tensor2d(targets, [B, T], 'int32'), // [B, T]
    mask: tf.tensor2d(mask, [B, T], 'float32'), // [B, T]
  };
}

function randomRows(n: number, T: number, V: number, seed: number): number[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => Array.from({ length: T }, () => rng.int(0, V)));
}

/** Mean next-token log-prob of each row: [B]. */
function meanLogProbs(model: GPT, x: ReturnType<typeof nextTokenInputs>): tf.Tensor1D {
  return tf.tidy(() => {
    const logits = model.forward(x.ids); // [B, T, V]
    const { sum, count } = sequenceLogProbs(logits, x.targets, x.mask); // [B], [B]
    return tf.div(sum, count) as tf.Tensor1D; // [B]
  });
}

function readScalar(t: tf.Tensor): number {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

/** Builds the step of workload `w` on the current backend; deterministic in `seed`. */
export function makeStep(w: Workload, seed = 0): BenchStep {
  const { contextLength: T, vocabSize: V } = w.model;
  const policy = GPT.init(w.model, seed);
  const variables = policy.trainableVariables();
  const params = variables.reduce((n, v) => n + v.size, 0);
  const tokens = tokensPerStep(w);
  const b = w.batch;

  if (w.step === 'score') {
    const x = nextTokenInputs(randomRows(b, T, V, seed + 1), T);
    const noGrad = () =>
      tf.tidy(() => {
        const logits = policy.forward(x.ids); // [B, T, V]
        const { sum, count } = sequenceLogProbs(logits, x.targets, x.mask);
        return tf.div(tf.sum(sum), tf.sum(count)); // mean over every scored token
      });
    return {
      run: () => readScalar(noGrad()),
      tokens,
      params,
      parts: { noGrad, variables },
      dispose: () => {
        policy.dispose();
        tf.dispose([x.ids, x.targets, x.mask]);
      },
    };
  }

  const optimizer = tf.train.adam(LEARNING_RATE, 0.9, 0.999, 1e-8);
  if (w.step === 'sft') {
    const x = nextTokenInputs(randomRows(b, T, V, seed + 1), T, Math.floor(T / 2));
    const loss = () =>
      tf.tidy(() => {
        const logits = policy.forward(x.ids); // [B, T, V]
        const { sum, count } = sequenceLogProbs(logits, x.targets, x.mask); // over the response half
        return tf.neg(tf.div(tf.sum(sum), tf.sum(count))) as tf.Scalar;
      });
    return {
      run: () => readScalar(optimizer.minimize(loss, true, variables)!),
      tokens,
      params,
      parts: { loss, variables, optimizer },
      dispose: () => {
        policy.dispose();
        optimizer.dispose();
        tf.dispose([x.ids, x.targets, x.mask]);
      },
    };
  }

  // dpo: rows 0..b-1 chosen, b..2b-1 rejected, as torch's `both = cat([chosen, rejected])`.
  const reference = policy.clone(false);
  const x = nextTokenInputs(randomRows(2 * b, T, V, seed + 1), T);
  const noGrad = () => meanLogProbs(reference, x); // [2b]; outside the gradient tape, like torch.no_grad
  const loss = (ref: tf.Tensor | undefined) =>
    tf.tidy(() => {
      if (!ref) throw new Error('bench: the DPO loss needs the reference log-probs');
      const r = ref as tf.Tensor1D; // [2b]
      const lp = meanLogProbs(policy, x); // [2b]
      const out = preferenceLoss({
        policyChosen: tf.slice(lp, [0], [b]),
        policyRejected: tf.slice(lp, [b], [b]),
        refChosen: tf.slice(r, [0], [b]),
        refRejected: tf.slice(r, [b], [b]),
        beta: DPO_BETA,
        lossType: 'sigmoid',
      });
      return tf.mean(out.losses) as tf.Scalar;
    });
  return {
    run: () => {
      const ref = noGrad();
      try {
        return readScalar(optimizer.minimize(() => loss(ref), true, variables)!);
      } finally {
        ref.dispose();
      }
    },
    tokens,
    params,
    parts: { noGrad, loss, variables, optimizer },
    dispose: () => {
      policy.dispose();
      reference.dispose();
      optimizer.dispose();
      tf.dispose([x.ids, x.targets, x.mask]);
    },
  };
}
