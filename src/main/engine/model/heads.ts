// A scalar head on the GPT trunk: the reward model's score and PPO's value function. It reads the
// final hidden states [B, T, D] (GPT.hidden / forwardWithHidden) and maps each position to one number,
// h·w + b. A reward model reads it at the last non-padding token of each sequence (`atLast`); a value
// head reads it at every position. Its weights are saved beside the GPT's as `<prefix>.weight` [D, 1]
// and `<prefix>.bias` [1] (TRL's reward model calls them `score`, its value model `v_head`).
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../random';
import { affine } from './kernels';
import type { NamedArray } from './gpt';

export class ScalarHead {
  private constructor(
    readonly prefix: string,
    readonly weight: tf.Variable, // [D, 1]
    readonly bias: tf.Variable, // [1]
  ) {}

  /** Fresh weights: normal(0, 1/√(D+1)) as TRL's value head, bias 0; deterministic in `seed`. */
  static init(prefix: string, dModel: number, seed: number, trainable = true): ScalarHead {
    const rng = mulberry32(seed ^ 0x5ca1ab1e);
    const std = 1 / Math.sqrt(dModel + 1);
    const w = new Float32Array(dModel);
    for (let i = 0; i < dModel; i++) w[i] = rng.normal() * std;
    return ScalarHead.fromArrays(
      prefix,
      [
        { name: `${prefix}.weight`, shape: [dModel, 1], data: w },
        { name: `${prefix}.bias`, shape: [1], data: new Float32Array(1) },
      ],
      trainable,
    );
  }

  /** The head named `prefix` among a checkpoint's arrays; throws naming what is missing. */
  static fromArrays(prefix: string, arrays: NamedArray[], trainable = true): ScalarHead {
    const get = (name: string) => {
      const a = arrays.find((x) => x.name === name);
      if (!a) throw new Error(`weights: "${name}" is missing (is this a reward model?)`);
      return a;
    };
    const w = get(`${prefix}.weight`);
    const b = get(`${prefix}.bias`);
    if (w.shape.length !== 2 || w.shape[1] !== 1 || b.shape.join() !== '1')
      throw new Error(`weights: "${prefix}" must be [D, 1] and [1], got [${w.shape}] and [${b.shape}]`);
    const wt = tf.tensor2d(w.data, [w.shape[0]!, 1]);
    const bt = tf.tensor1d(b.data);
    const head = new ScalarHead(prefix, tf.variable(wt, trainable), tf.variable(bt, trainable));
    tf.dispose([wt, bt]);
    return head;
  }

  static has(prefix: string, arrays: NamedArray[]): boolean {
    return arrays.some((a) => a.name === `${prefix}.weight`);
  }

  /** hidden [B, T, D] → one value per position [B, T]. */
  apply(hidden: tf.Tensor3D): tf.Tensor2D {
    const [B, T, D] = hidden.shape;
    return tf.tidy(
      () => tf.reshape(affine(tf.reshape(hidden, [B * T, D]), this.weight, this.bias), [B, T]) as tf.Tensor2D,
    );
  }

  /**
   * hidden [B, T, D] read at one position per row: `last[i]` (e.g. the last non-padding token) → [B].
   * Done as a masked sum over T (gather's gradient has no wasm kernel).
   */
  atLast(hidden: tf.Tensor3D, last: readonly number[]): tf.Tensor1D {
    const [B, T] = hidden.shape;
    if (last.length !== B) throw new Error(`ScalarHead.atLast: ${last.length} positions for ${B} rows`);
    return tf.tidy(() => {
      const pick = new Float32Array(B * T);
      last.forEach((t, i) => {
        if (!(t >= 0 && t < T)) throw new Error(`ScalarHead.atLast: position ${t} outside 0..${T - 1}`);
        pick[i * T + t] = 1;
      });
      return tf.sum(tf.mul(this.apply(hidden), tf.tensor2d(pick, [B, T])), 1) as tf.Tensor1D; // [B]
    });
  }

  variables(): tf.Variable[] {
    return [this.weight, this.bias].filter((v) => v.trainable);
  }

  async toArrays(): Promise<NamedArray[]> {
    return [
      {
        name: `${this.prefix}.weight`,
        shape: this.weight.shape.slice(),
        data: (await this.weight.data()) as Float32Array,
      },
      { name: `${this.prefix}.bias`, shape: [1], data: (await this.bias.data()) as Float32Array },
    ];
  }

  dispose(): void {
    this.weight.dispose();
    this.bias.dispose();
  }
}

/** Index of each row's last position whose mask is 1 (0 for a row with none): the token a reward head reads. */
export function lastIndices(mask: ArrayLike<number>, B: number, T: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < B; i++) {
    let last = 0;
    for (let t = 0; t < T; t++) if (mask[i * T + t]) last = t;
    out.push(last);
  }
  return out;
}
