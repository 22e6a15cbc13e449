// The scoring export of a lab GPT (onnx/export.ts's trunk, opset 17, weights as initializers): what
// reference and reward scoring read, without shipping [B, T, V] logits back to JavaScript.
// - `logprobs`: inputs `input_ids` and `targets` [batch, sequence] int64 and `temperature` (a float
//   scalar) → `token_logprobs` [batch, sequence]: log softmax(logits / temperature) at each target,
//   what logprobs.ts tokenLogProbsOf computes on tfjs (DPO's reference, PPO's reference at the
//   sampling temperature).
// - `head`: a ScalarHead (the reward model's `score`, PPO's `v_head`) → `values` [batch, sequence],
//   h·w + b at every position; a reward is read at a sequence's last token by the caller.
// There is no attention mask: rows are right-padded and attention is causal, so a padded position is
// never attended to by the real ones before it (their outputs are what callers read).
import type { GPT } from '../model/gpt';
import type { ScalarHead } from '../model/heads';
import { buildTrunk, encodeGraph, GraphBuilder } from './export';
import { DataType, type ValueInit } from './proto';

export interface ScoreExportOptions {
  /** Output per-token log-probs of `targets`. Default true. */
  logprobs?: boolean;
  /** Output this head's value at every position. */
  head?: ScalarHead;
}

/** Serialise the scoring graph of `model` (and `head`) as an ONNX ModelProto. */
export function exportScoring(model: GPT, opts: ScoreExportOptions = {}): Uint8Array {
  const logprobs = opts.logprobs ?? true;
  const { head } = opts;
  if (!logprobs && !head) throw new Error('exportScoring: ask for log-probs, a head, or both');
  const D = model.config.dModel;
  const g = new GraphBuilder();
  const hf = buildTrunk(g, model, false); // [B, T, D]
  const axis2 = g.int64s('axes_2', [1], [2]);
  const inputs: ValueInit[] = [{ name: 'input_ids', type: DataType.INT64, dims: ['batch', 'sequence'] }];
  const outputs: ValueInit[] = [];
  if (logprobs) {
    const wteT = g.op('Transpose', ['wte'], { perm: { ints: [1, 0] } }); // [D, V], folded at load
    const logits = g.op('MatMul', [hf, wteT]); // [B, T, V]
    const scaled = g.op('Div', [logits, 'temperature']); // [B, T, V]
    const lsm = g.op('LogSoftmax', [scaled], { axis: { int: -1 } }); // [B, T, V]
    const at = g.op('Unsqueeze', ['targets', axis2]); // [B, T, 1]
    const picked = g.op('GatherElements', [lsm, at], { axis: { int: 2 } }); // [B, T, 1]
    g.op('Squeeze', [picked, axis2], undefined, 'token_logprobs'); // [B, T]
    inputs.push(
      { name: 'targets', type: DataType.INT64, dims: ['batch', 'sequence'] },
      { name: 'temperature', type: DataType.FLOAT, dims: [] },
    );
    outputs.push({ name: 'token_logprobs', type: DataType.FLOAT, dims: ['batch', 'sequence'] });
  }
  if (head) {
    const w = head.weight.dataSync() as Float32Array;
    const b = head.bias.dataSync() as Float32Array;
    if (w.length !== D)
      throw new Error(`exportScoring: head "${head.prefix}" has ${w.length} inputs, not ${D}`);
    g.floats(`${head.prefix}.weight`, [D, 1], w);
    g.floats(`${head.prefix}.bias`, [1], b);
    const v = g.op('Add', [g.op('MatMul', [hf, `${head.prefix}.weight`]), `${head.prefix}.bias`]); // [B, T, 1]
    g.op('Squeeze', [v, axis2], undefined, 'values'); // [B, T]
    outputs.push({ name: 'values', type: DataType.FLOAT, dims: ['batch', 'sequence'] });
  }
  return encodeGraph(g, 'gpt_scoring', inputs, outputs, {
    metadata: {
      gpt_config: JSON.stringify(model.config),
      outputs: outputs.map((o) => o.name).join(','),
    },
  });
}
