// The tensor kernels of the GPT, written for the wasm backend's fast paths and differentiated by
// hand (see model/gpt.ts for why): untransposed 2-D matmuls, affine layers, LayerNorm, causal
// attention as depthwise convolutions, GELU through a sigmoid, float one-hot rows and the causal mask.
// Only kernels that all three tfjs backends implement; tests/engine/model-reference.test.ts checks
// every gradient against a plain implementation.
import * as tf from '@tensorflow/tfjs-core';

const LN_EPS = 1e-5;

/** Swap the last two axes: [..., M, N] → [..., N, M]. */
function swapLast(x: tf.Tensor): tf.Tensor {
  if (x.rank === 2) return transpose2d(x);
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}

/**
 * xᵀ for x: [M, N]. For M a multiple of 16, as the 3-D transpose [16, M/16, N] → [N, 16, M/16] (the same
 * numbers): wasm's Transpose runs that about twice as fast as the 2-D one on [2048, 128] and [2048, 512].
 */
function transpose2d(x: tf.Tensor): tf.Tensor {
  const [M, N] = x.shape as [number, number];
  if (M % 16 !== 0 || M < 64) return tf.transpose(x);
  return tf.reshape(tf.transpose(tf.reshape(x, [16, M / 16, N]), [2, 0, 1]), [N, M]);
}

/**
 * a @ b for a: [..., M, K], b: [..., K, N] of equal rank, with a gradient that uses only untransposed
 * matmuls: da = dy @ bᵀ, db = aᵀ @ dy with the transposes done by the Transpose kernel.
 */
export const matmul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      const [K, N] = sb.shape.slice(-2) as [number, number];
      // 2-D with N < K (the embedding: a is the [B·T, V] one-hot): db = (dyᵀ a)ᵀ transposes less.
      const db =
        sb.rank === 2 && N < K ? transpose2d(tf.matMul(transpose2d(dy), sa)) : tf.matMul(swapLast(sa), dy);
      return [tf.matMul(dy, swapLast(sb)), db];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** Σ over rows of x: [N, F] → [F], as the matmul ones[1, N] @ x (a reduction over axis 0 transposes first on wasm). */
function sumRows(x: tf.Tensor): tf.Tensor {
  const [N, F] = x.shape as [number, number];
  return tf.reshape(tf.matMul(tf.ones([1, N]), x), [F]);
}

/**
 * x: [N, in] @ w: [in, out] + b: [out] → [N, out], with `matmul`'s gradient and db = Σ_rows dy. dw is
 * xᵀ dy, or (dyᵀ x)ᵀ when out < in, so that the large transpose is of the narrower [N, ·] matrix.
 */
export const affine = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor, tf.Tensor];
      const [inF, outF] = sw.shape as [number, number];
      const dw = outF < inF ? transpose2d(tf.matMul(transpose2d(dy), sx)) : tf.matMul(transpose2d(sx), dy); // [in, out]
      return [tf.matMul(dy, transpose2d(sw)), dw, sumRows(dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
) => tf.Tensor;

/**
 * LayerNorm over the last axis, x: [N, D], gain g and bias b: [D] → [N, D], differentiated by hand:
 * with x̂ = (x − mean) · r, r = 1/√(var + ε) and dx̂ = dy · g,
 * dx = r · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)), dg = Σ_rows dy · x̂, db = Σ_rows dy.
 */
export const layerNorm = tf.customGrad(((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  const xc = tf.sub(x, tf.mean(x, -1, true)); // [N, D]
  const r = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS)); // [N, 1]
  const xhat = tf.mul(xc, r); // [N, D]
  save([xhat, r, g]);
  return {
    value: tf.add(tf.mul(xhat, g), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sxhat, sr, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const dxhat = tf.mul(dy, sg); // [N, D]
      const centred = tf.sub(dxhat, tf.mean(dxhat, -1, true));
      const dx = tf.mul(tf.sub(centred, tf.mul(sxhat, tf.mean(tf.mul(dxhat, sxhat), -1, true))), sr);
      return [dx, sumRows(tf.mul(dy, sxhat)), sumRows(dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (
  x: tf.Tensor,
  g: tf.Tensor,
  b: tf.Tensor,
) => tf.Tensor;

/**
 * Per-slice matrix products for S slices in one kernel: C[s] = A[s] @ B[s]. A depthwise convolution
 * with one channel per slice computes exactly this, and wasm runs it through XNNPACK's GEMM, where a
 * batched matmul takes a naive loop (~4x slower here; per-slice 2-D matmuls lose to the JS overhead).
 * b: [K, S, N]; a: [M, K, S], or [K, M, S] when `aLayout` is 'KMS' (then A[s] is read transposed)
 * → C: [M, S, N]. Forward only: callers differentiate it by hand (attentionCore).
 */
function sliceMatmul(a: tf.Tensor, b: tf.Tensor, aLayout: 'MKS' | 'KMS'): tf.Tensor {
  const [K, S, N] = b.shape as [number, number, number];
  if (aLayout === 'MKS') {
    const M = a.shape[0]!;
    const input = tf.reshape(a, [1, M, K, S]) as tf.Tensor4D; // image M × K, S channels
    const filter = tf.reshape(b, [1, K, S, N]) as tf.Tensor4D; // 1 × K window, N outputs per channel
    return tf.reshape(tf.depthwiseConv2d(input, filter, 1, 'valid'), [M, S, N]); // [1, M, 1, S·N]
  }
  const M = a.shape[1]!;
  const input = tf.reshape(a, [1, K, M, S]) as tf.Tensor4D; // image K × M, S channels
  const filter = tf.reshape(b, [K, 1, S, N]) as tf.Tensor4D; // K × 1 window
  return tf.reshape(tf.depthwiseConv2d(input, filter, 1, 'valid'), [M, S, N]); // [1, 1, M, S·N]
}

/**
 * The core of causal attention, differentiated by hand: q, k, v: [N = B·T, D] (heads side by side)
 * → y: [N, D] with y = softmax(q kᵀ / √hd + mask) v per (sequence, head). The S = B·H slices are
 * laid out slice-last ([T, S, ·] or [·, ·, S]) for sliceMatmul; (b, h) index the slice s = b·H + h.
 */
export const attentionCore = (
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  B: number,
  T: number,
  H: number,
  mask: tf.Tensor,
): tf.Tensor => {
  const D = q.shape[1]!;
  const hd = D / H;
  const S = B * H;
  const scale = 1 / Math.sqrt(hd);
  // [N, D] → [B, T, H, hd] → the layout `perm` asks for, with (B, H) merged into S.
  const toSlices = (t: tf.Tensor, perm: number[], shape: number[]) =>
    tf.reshape(tf.transpose(tf.reshape(t, [B, T, H, hd]), perm), shape);
  const rows = (t: tf.Tensor) => toSlices(t, [1, 0, 2, 3], [T, S, hd]); // [T, S, hd]
  const cols = (t: tf.Tensor) => toSlices(t, [3, 0, 2, 1], [hd, S, T]); // [hd, S, T]: tᵀ per slice
  const byFeature = (t: tf.Tensor) => toSlices(t, [1, 3, 0, 2], [T, hd, S]); // [T, hd, S]
  // [T, S, hd] (rows of every slice) → [N, D].
  const unslice = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [T, B, D]), [1, 0, 2]), [B * T, D]);
  const mask3 = tf.reshape(mask, [T, 1, T]); // [i, 1, j]
  const f = tf.customGrad(((qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor, save: tf.GradSaveFunc) => {
    const scores = tf.add(tf.mul(sliceMatmul(byFeature(qq), cols(kk), 'MKS'), scale), mask3); // [i, S, j]
    const p = tf.softmax(scores); // [i, S, j], rows sum to 1 over the past
    const pA = tf.transpose(p, [0, 2, 1]); // [i, j, S]
    const y = sliceMatmul(pA, rows(vv), 'MKS'); // [i, S, hd]
    save([qq, kk, vv, p, pA]);
    return {
      value: unslice(y), // [N, D]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk, sv, sp, spA] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const dP = sliceMatmul(byFeature(dy), cols(sv), 'MKS'); // dy vᵀ: [i, S, j]
        const dv = sliceMatmul(spA, rows(dy), 'KMS'); // pᵀ dy: [j, S, hd]
        const dScores = tf.mul(tf.mul(sp, tf.sub(dP, tf.sum(tf.mul(dP, sp), -1, true))), scale); // [i, S, j]
        const dA = tf.transpose(dScores, [0, 2, 1]); // [i, j, S]
        const dq = sliceMatmul(dA, rows(sk), 'MKS'); // dS k: [i, S, hd]
        const dk = sliceMatmul(dA, rows(sq), 'KMS'); // dSᵀ q: [j, S, hd]
        return [unslice(dq), unslice(dk), unslice(dv)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (
    a: tf.Tensor,
    b: tf.Tensor,
    c: tf.Tensor,
  ) => tf.Tensor;
  return f(q, k, v);
};

/**
 * GELU, tanh approximation (GPT-2's): 0.5 x (1 + tanh(u)), u = √(2/π) (x + 0.044715 x³), computed as
 * x σ(2u) (the same function: ½(1 + tanh u) = σ(2u)); wasm's Sigmoid is ~14x faster than its Tanh.
 * Differentiated by hand: d/dx = s + x s (1 − s) · 2√(2/π) (1 + 3 · 0.044715 x²), s = σ(2u).
 */
const GELU_C = 2 * Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;
export const gelu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const x2 = tf.square(x);
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(x2, GELU_C * GELU_A), GELU_C))); // σ(2u)
  save([x, x2, s]);
  return {
    value: tf.mul(x, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sx2, ss] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const du = tf.add(tf.mul(sx2, 3 * GELU_C * GELU_A), GELU_C); // d(2u)/dx
      const ds = tf.mul(tf.mul(ss, tf.sub(1, ss)), tf.mul(sx, du)); // x · dσ(2u)/dx
      return tf.mul(dy, tf.add(ss, ds));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/**
 * One-hot rows as float32. Made as int32 then cast: wasm's OneHot kernel ignores a float32 dtype and
 * writes integer bits (every entry reads as ~0), tfjs-backend-wasm 4.22.
 */
export function oneHotFloat(indices: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.oneHot(indices, depth), 'float32');
}

/** Additive mask [T, T]: 0 where key ≤ query, -1e9 above the diagonal. */
export function causalMask(T: number): tf.Tensor2D {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  return tf.tensor2d(m, [T, T]);
}
