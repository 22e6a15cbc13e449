// Every preference-loss variant against values computed by hand (the arithmetic is in the comments),
// the direction of each one's gradient, and that none leaks tensors.
// Notation: sp(x) = softplus(x) = ln(1 + e^x), σ(x) = 1 / (1 + e^−x); sp(z) = sp(−z) + z.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import {
  ktoMismatchedIndices,
  preferenceLoss,
  type KtoPreferenceLossInput,
  type PairedPreferenceLossInput,
  type PreferenceLossInput,
  type PreferenceLossOutput,
  type PreferenceLossType,
  type ReferenceFreePreferenceLossInput,
} from '../../../src/main/engine/losses/preference';

beforeAll(async () => {
  await selectBackend();
});

const t = (v: number[]) => tf.tensor1d(v);
const sp = (x: number) => Math.log1p(Math.exp(x));
const sigma = (x: number) => 1 / (1 + Math.exp(-x));

/** Read every output (losses, rewards, extras) to plain numbers, then dispose them all. */
function read(out: PreferenceLossOutput) {
  const values = {
    losses: out.losses.arraySync(),
    chosenRewards: out.chosenRewards.arraySync(),
    rejectedRewards: out.rejectedRewards.arraySync(),
    kl: out.kl?.arraySync(),
    logOddsRatio: out.logOddsRatio?.arraySync(),
    nllLoss: out.nllLoss?.arraySync(),
  };
  tf.dispose(Object.values(out) as tf.Tensor[]);
  return values;
}

function expectClose(actual: number[], expected: number[], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, digits));
}

// The pairs of tests/engine/preference.test.ts: h = (πw − rw) − (πl − rl) = [0.5 + 0.5, −1 − 1] = [1, −2];
// with β = 0.1, z = βh = [0.1, −0.2]. sp(−0.1) = 0.644397, sp(0.2) = 0.798139.
const PAIRED = {
  policyChosen: [-1, -3],
  policyRejected: [-2, -1],
  refChosen: [-1.5, -2],
  refRejected: [-1.5, -2],
};
function pairedInput(
  extra: Partial<PairedPreferenceLossInput> & Pick<PairedPreferenceLossInput, 'lossType' | 'beta'>,
): PairedPreferenceLossInput {
  return {
    policyChosen: t(PAIRED.policyChosen),
    policyRejected: t(PAIRED.policyRejected),
    refChosen: t(PAIRED.refChosen),
    refRejected: t(PAIRED.refRejected),
    ...extra,
  };
}
function disposeInput(input: PreferenceLossInput): void {
  tf.dispose(Object.values(input).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
}

/** d mean(loss) / d policyChosen and / d policyRejected, with the other inputs fixed. */
function gradsOf(input: PreferenceLossInput): { dChosen: number[]; dRejected: number[] } {
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
    const out = preferenceLoss({
      ...input,
      policyChosen: a as tf.Tensor1D,
      policyRejected: b as tf.Tensor1D,
    } as PreferenceLossInput);
    return tf.mean(out.losses);
  })([input.policyChosen, input.policyRejected]);
  const [dChosen, dRejected] = g.map((x) => x.arraySync() as number[]);
  tf.dispose(g);
  return { dChosen: dChosen!, dRejected: dRejected! };
}

describe('preferenceLoss: sigmoid with label smoothing (cDPO)', () => {
  it('is (1 − ε) sp(−z) + ε sp(z) = sp(−z) + εz', () => {
    const input = pairedInput({ lossType: 'sigmoid', beta: 0.1, labelSmoothing: 0.2 });
    const out = read(preferenceLoss(input));
    // pair 1: 0.8 · sp(−0.1) + 0.2 · sp(0.1) = 0.8 · 0.644397 + 0.2 · 0.744397 = 0.515518 + 0.148879 = 0.664397
    // pair 2: sp(0.2) + 0.2 · (−0.2) = 0.798139 − 0.04 = 0.758139
    expectClose(out.losses, [0.664397, 0.758139]);
    // rewards do not depend on ε: β (πw − rw) = 0.1 · [0.5, −1], β (πl − rl) = 0.1 · [−0.5, 1]
    expectClose(out.chosenRewards, [0.05, -0.1], 6);
    expectClose(out.rejectedRewards, [-0.05, 0.1], 6);
    disposeInput(input);
  });

  it('with ε = 0 equals plain sigmoid (DPO), and so does robust', () => {
    const a = pairedInput({ lossType: 'sigmoid', beta: 0.1 });
    const b = pairedInput({ lossType: 'sigmoid', beta: 0.1, labelSmoothing: 0 });
    const c = pairedInput({ lossType: 'robust', beta: 0.1, labelSmoothing: 0 });
    const plain = read(preferenceLoss(a));
    expect(read(preferenceLoss(b))).toEqual(plain);
    expect(read(preferenceLoss(c))).toEqual(plain);
    expectClose(plain.losses, [sp(-0.1), sp(0.2)], 6);
    [a, b, c].forEach(disposeInput);
  });

  it('rejects ε outside [0, 0.5)', () => {
    for (const labelSmoothing of [-0.1, 0.5, 0.7, Number.NaN]) {
      const input = pairedInput({ lossType: 'sigmoid', beta: 0.1, labelSmoothing });
      expect(() => preferenceLoss(input)).toThrow('labelSmoothing must be in [0, 0.5)');
      disposeInput(input);
    }
  });

  it('pushes the chosen log-prob up and the rejected one down', () => {
    const input = pairedInput({ lossType: 'sigmoid', beta: 0.1, labelSmoothing: 0.2 });
    const { dChosen, dRejected } = gradsOf(input);
    // d/dπw of mean((1−ε) sp(−z) + ε sp(z)) = β ((1−ε)(−σ(−z)) + ε σ(z)) / B; pair 1, z = 0.1:
    // 0.1 · (−0.8 · σ(−0.1) + 0.2 · σ(0.1)) / 2 = 0.05 · (−0.8 · 0.475021 + 0.2 · 0.524979) = −0.013751
    expect(dChosen[0]).toBeCloseTo(0.05 * (-0.8 * sigma(-0.1) + 0.2 * sigma(0.1)), 6);
    expect(dChosen[0]).toBeCloseTo(-0.013751, 5);
    dChosen.forEach((d) => expect(d).toBeLessThan(0));
    dRejected.forEach((d) => expect(d).toBeGreaterThan(0));
    disposeInput(input);
  });
});

describe('preferenceLoss: robust', () => {
  it('is ((1 − ε) sp(−z) − ε sp(z)) / (1 − 2ε) = sp(−z) − εz / (1 − 2ε)', () => {
    const input = pairedInput({ lossType: 'robust', beta: 0.1, labelSmoothing: 0.2 });
    const out = read(preferenceLoss(input));
    // pair 1: (0.8 · 0.644397 − 0.2 · 0.744397) / 0.6 = (0.515518 − 0.148879) / 0.6 = 0.611063
    //         (= 0.644397 − 0.02 / 0.6 = 0.644397 − 0.033333)
    // pair 2: 0.798139 − 0.2 · (−0.2) / 0.6 = 0.798139 + 0.066667 = 0.864806
    expectClose(out.losses, [0.611063, 0.864806]);
    expectClose(out.chosenRewards, [0.05, -0.1], 6);
    disposeInput(input);
  });

  it('pushes the chosen log-prob up and the rejected one down', () => {
    const input = pairedInput({ lossType: 'robust', beta: 0.1, labelSmoothing: 0.3 });
    const { dChosen, dRejected } = gradsOf(input);
    // d/dz = (−(1−ε) σ(−z) − ε σ(z)) / (1 − 2ε) < 0 for every z
    dChosen.forEach((d) => expect(d).toBeLessThan(0));
    dRejected.forEach((d) => expect(d).toBeGreaterThan(0));
    disposeInput(input);
  });
});

describe('preferenceLoss: hinge (SLiC)', () => {
  it('is relu(1 − βh), zero once βh ≥ 1', () => {
    // h = [1, −2, 3], β = 0.5: βh = [0.5, −1, 1.5] → relu([0.5, 2, −0.5]) = [0.5, 2, 0]
    const input: PreferenceLossInput = {
      lossType: 'hinge',
      beta: 0.5,
      policyChosen: t([-1, -3, 0]),
      policyRejected: t([-2, -1, -3]),
      refChosen: t([0, 0, 0]),
      refRejected: t([0, 0, 0]),
    };
    const out = read(preferenceLoss(input));
    expectClose(out.losses, [0.5, 2, 0], 6);
    expectClose(out.chosenRewards, [-0.5, -1.5, 0], 6);
    expectClose(out.rejectedRewards, [-1, -0.5, -1.5], 6);
    const { dChosen, dRejected } = gradsOf(input);
    // active pairs: d/dπw = −β / B = −0.5 / 3; the satisfied pair has no gradient
    expectClose(dChosen, [-0.5 / 3, -0.5 / 3, 0], 6);
    expectClose(dRejected, [0.5 / 3, 0.5 / 3, 0], 6);
    disposeInput(input);
  });

  it('refuses label smoothing', () => {
    const input = pairedInput({ lossType: 'hinge', beta: 0.1, labelSmoothing: 0.1 });
    expect(() => preferenceLoss(input)).toThrow('labelSmoothing applies to "sigmoid" and "robust" only');
    disposeInput(input);
  });
});

describe('preferenceLoss: ipo', () => {
  it('is (h − 1/(2β))² on the averaged log-probs', () => {
    // Inputs here are per-token averages (the caller divides by the token counts). β = 0.1 → 1/(2β) = 5.
    // h = [1, −2] → (1 − 5)² = 16, (−2 − 5)² = 49
    const input = pairedInput({ lossType: 'ipo', beta: 0.1 });
    const out = read(preferenceLoss(input));
    expectClose(out.losses, [16, 49], 4);
    expectClose(out.chosenRewards, [0.05, -0.1], 6);
    disposeInput(input);
  });

  it('is zero at the target margin h = 1/(2β) and penalises overshooting it, unlike DPO', () => {
    // β = 0.5 → target 1/(2β) = 1. h = [1, 3, 0] → [(1−1)², (3−1)², (0−1)²] = [0, 4, 1]
    const input: PreferenceLossInput = {
      lossType: 'ipo',
      beta: 0.5,
      policyChosen: t([-1, -1, -2]),
      policyRejected: t([-2, -4, -2]),
      refChosen: t([0, 0, 0]),
      refRejected: t([0, 0, 0]),
    };
    expectClose(read(preferenceLoss(input)).losses, [0, 4, 1], 5);
    const { dChosen, dRejected } = gradsOf(input);
    // d/dπw = 2 (h − 1) / B: [0, 4/3, −2/3] — past the target the gradient pulls the chosen log-prob DOWN
    expectClose(dChosen, [0, 4 / 3, -2 / 3], 5);
    expectClose(dRejected, [0, -4 / 3, 2 / 3], 5);
    expect(dChosen[2]).toBeLessThan(0); // below the target: chosen up, rejected down
    expect(dRejected[2]).toBeGreaterThan(0);
    disposeInput(input);
  });
});

describe('preferenceLoss: kto', () => {
  // β = 0.1. Desirable: r = πθ − πref = [−1 − (−2), −4 − (−3)] = [1, −1]. Undesirable: r = −5 − (−3) = −2.
  // KL pairs: policyKl − refKl = [1, 2, 0] → mean 1 → z0 = 1.
  const ktoInput = (
    policyKl: number[],
    refKl: number[],
    undesirableWeight?: number,
  ): PreferenceLossInput => ({
    lossType: 'kto',
    beta: 0.1,
    policyChosen: t([-1, -4]),
    refChosen: t([-2, -3]),
    policyRejected: t([-5]),
    refRejected: t([-3]),
    policyKl: t(policyKl),
    refKl: t(refKl),
    ...(undesirableWeight === undefined ? {} : { undesirableWeight }),
  });

  it('is 1 − σ(β(r − z0)) for desirable and w_u (1 − σ(β(z0 − r))) for undesirable examples', () => {
    const input = ktoInput([-6, -7, -5], [-7, -9, -5], 2);
    const out = read(preferenceLoss(input));
    // desirable: 1 − σ(0.1 (1 − 1)) = 1 − σ(0) = 0.5;  1 − σ(0.1 (−1 − 1)) = 1 − σ(−0.2) = 0.549834
    // undesirable (w_u = 2): 2 (1 − σ(0.1 (1 − (−2)))) = 2 (1 − σ(0.3)) = 2 · 0.425557 = 0.851115
    expectClose(out.losses, [0.5, 0.549834, 0.851115]);
    expect(out.kl).toBeCloseTo(1, 6);
    expectClose(out.chosenRewards, [0.1, -0.1], 6);
    expectClose(out.rejectedRewards, [-0.2], 6);
    disposeInput(input);
  });

  it('clamps a negative KL estimate to z0 = 0', () => {
    // policyKl − refKl = [−1, −2, −3] → mean −2 → z0 = max(0, −2) = 0
    const input = ktoInput([-8, -9, -10], [-7, -7, -7]);
    const out = read(preferenceLoss(input));
    // desirable: 1 − σ(0.1 · 1) = 0.475021, 1 − σ(0.1 · (−1)) = 0.524979; undesirable: 1 − σ(0.1 · 2) = 0.450166
    expect(out.kl).toBe(0);
    expectClose(out.losses, [1 - sigma(0.1), 1 - sigma(-0.1), 1 - sigma(0.2)], 6);
    expectClose(out.losses, [0.475021, 0.524979, 0.450166]);
    disposeInput(input);
  });

  it('pushes desirable log-probs up, undesirable ones down, and sends no gradient into z0', () => {
    const input = ktoInput([-6, -7, -5], [-7, -9, -5], 2) as KtoPreferenceLossInput;
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, k: tf.Tensor) =>
      tf.mean(
        preferenceLoss({
          ...input,
          policyChosen: a as tf.Tensor1D,
          policyRejected: b as tf.Tensor1D,
          policyKl: k as tf.Tensor1D,
        }).losses,
      ),
    )([input.policyChosen, input.policyRejected, input.policyKl]);
    const [dChosen, dRejected, dKl] = g.map((x) => x.arraySync() as number[]);
    tf.dispose(g);
    // desirable loss σ(β (z0 − r)): d/dr = −β s (1 − s) / B; for r = 1, s = σ(0) = 0.5 → −0.1 · 0.25 / 3 = −0.008333
    expect(dChosen![0]).toBeCloseTo((-0.1 * 0.25) / 3, 6);
    dChosen!.forEach((d) => expect(d).toBeLessThan(0));
    // undesirable w_u σ(β (r − z0)): d/dr = w_u β s (1 − s) / B, s = σ(−0.3) → 2 · 0.1 · 0.244458 / 3 = 0.016297
    expect(dRejected![0]).toBeCloseTo((2 * 0.1 * sigma(-0.3) * (1 - sigma(-0.3))) / 3, 6);
    expect(dRejected![0]).toBeGreaterThan(0);
    expect(dKl).toEqual([0, 0, 0]);
    disposeInput(input);
  });

  it('refuses a batch of one (its KL pair would be the example itself)', () => {
    const input: PreferenceLossInput = {
      lossType: 'kto',
      beta: 0.1,
      policyChosen: t([-1]),
      refChosen: t([-2]),
      policyRejected: t([]),
      refRejected: t([]),
      policyKl: t([-1]),
      refKl: t([-2]),
    };
    expect(() => preferenceLoss(input)).toThrow('KTO needs at least 2 examples per batch (got 1)');
    expect(() => ktoMismatchedIndices(1)).toThrow('KTO needs at least 2 examples per batch');
    disposeInput(input);
  });

  it('works with only desirable examples, and checks the KL pairs match the batch', () => {
    const input: PreferenceLossInput = {
      lossType: 'kto',
      beta: 0.1,
      policyChosen: t([-1, -4]),
      refChosen: t([-2, -3]),
      policyRejected: t([]),
      refRejected: t([]),
      policyKl: t([-1, -1]),
      refKl: t([-1, -1]),
    };
    // z0 = 0: [1 − σ(0.1), 1 − σ(−0.1)]
    const out = read(preferenceLoss(input));
    expectClose(out.losses, [1 - sigma(0.1), 1 - sigma(-0.1)], 6);
    expect(out.rejectedRewards).toEqual([]);
    const wrong = { ...input, policyKl: t([-1, -1, -1]), refKl: t([-1, -1, -1]) };
    expect(() => preferenceLoss(wrong)).toThrow('2 desirable + 0 undesirable examples, but 3 KL pairs');
    disposeInput(input);
    disposeInput(wrong);
  });

  it('pairs each prompt with the previous completion, as TRL builds its KL dataset', () => {
    expect(ktoMismatchedIndices(2)).toEqual([1, 0]);
    expect(ktoMismatchedIndices(4)).toEqual([3, 0, 1, 2]);
  });
});

describe('preferenceLoss: orpo', () => {
  // Average log-probs a_w = [−0.5, −2], a_l = [−1, −1]. logodds(a) = a − ln(1 − e^a):
  //   a = −0.5: 1 − e^−0.5 = 1 − 0.606531 = 0.393469, ln = −0.932752 → 0.432752
  //   a = −1:   1 − e^−1 = 0.632121, ln = −0.458675 → −0.541325
  //   a = −2:   1 − e^−2 = 0.864665, ln = −0.145413 → −1.854587
  // logOddsRatio = [0.432752 + 0.541325, −1.854587 + 0.541325] = [0.974077, −1.313262]
  // λ = β = 0.1: loss = −a_w + λ sp(−lor): [0.5 + 0.1 · sp(−0.974077), 2 + 0.1 · sp(1.313262)]
  //   sp(−0.974077) = ln(1.377545) = 0.320300, sp(1.313262) = 1.551445 → [0.532030, 2.155144]
  const orpoInput = (chosenLengths?: number[]): PreferenceLossInput => ({
    lossType: 'orpo',
    beta: 0.1,
    policyChosen: t([-0.5, -2]),
    policyRejected: t([-1, -1]),
    ...(chosenLengths ? { chosenLengths: t(chosenLengths) } : {}),
  });

  it('is NLL + λ · (−log σ(log-odds ratio))', () => {
    const input = orpoInput();
    const out = read(preferenceLoss(input));
    expectClose(out.logOddsRatio!, [0.974077, -1.313262]);
    expectClose(out.nllLoss!, [0.5, 2], 6);
    expectClose(out.losses, [0.53203, 2.155144]);
    // rewards: β · a = 0.1 · [−0.5, −2] and 0.1 · [−1, −1]
    expectClose(out.chosenRewards, [-0.05, -0.2], 6);
    expectClose(out.rejectedRewards, [-0.1, -0.1], 6);
    disposeInput(input);
  });

  it("token-weights the NLL with chosenLengths, so its mean is TRL's cross-entropy over all chosen tokens", () => {
    // lengths [2, 6], mean 4: nll = [0.5 · 2/4, 2 · 6/4] = [0.25, 3]; mean 1.625 = (0.5·2 + 2·6) / (2 + 6) = 13/8
    const input = orpoInput([2, 6]);
    const out = read(preferenceLoss(input));
    expectClose(out.nllLoss!, [0.25, 3], 6);
    expectClose(out.losses, [0.28203, 3.155144]);
    disposeInput(input);
  });

  it('stays finite for a certain sequence (average log-prob 0)', () => {
    const input: PreferenceLossInput = {
      lossType: 'orpo',
      beta: 0.1,
      policyChosen: t([0]),
      policyRejected: t([-1]),
    };
    const out = read(preferenceLoss(input));
    expect(Number.isFinite(out.losses[0])).toBe(true);
    expect(out.logOddsRatio![0]).toBeGreaterThan(13); // ln(1/1e-6) + 0.54 ≈ 14.4
    disposeInput(input);
  });

  it('pushes the chosen log-prob up and the rejected one down', () => {
    const input = orpoInput();
    const { dChosen, dRejected } = gradsOf(input);
    dChosen.forEach((d) => expect(d).toBeLessThan(0));
    dRejected.forEach((d) => expect(d).toBeGreaterThan(0));
    // rejected: d/da_l of λ sp(−lor) / B = λ σ(−lor) · dlogodds(a_l)/da / B, dlogodds/da = 1 / (1 − e^a);
    // pair 1: 0.1 · σ(−0.974077) · (1 / 0.632121) / 2 = 0.1 · 0.274068 · 1.581977 / 2 = 0.021679
    expect(dRejected[0]).toBeCloseTo((0.1 * sigma(-0.974077) * (1 / (1 - Math.exp(-1)))) / 2, 5);
    disposeInput(input);
  });
});

describe('preferenceLoss: simpo', () => {
  // a_w = [−0.5, −2], a_l = [−1, −1], β = 2, γ = 0.5: z = β (a_w − a_l) − γ = [2 · 0.5 − 0.5, 2 · (−1) − 0.5] = [0.5, −2.5]
  const simpoInput = (labelSmoothing?: number): PreferenceLossInput => ({
    lossType: 'simpo',
    beta: 2,
    gamma: 0.5,
    policyChosen: t([-0.5, -2]),
    policyRejected: t([-1, -1]),
    ...(labelSmoothing === undefined ? {} : { labelSmoothing }),
  });

  it('is −log σ(β (a_w − a_l) − γ)', () => {
    const input = simpoInput();
    const out = read(preferenceLoss(input));
    // sp(−0.5) = 0.474077, sp(2.5) = 2.578890
    expectClose(out.losses, [0.474077, 2.57889]);
    // rewards: β · a = 2 · [−0.5, −2] and 2 · [−1, −1]
    expectClose(out.chosenRewards, [-1, -4], 6);
    expectClose(out.rejectedRewards, [-2, -2], 6);
    disposeInput(input);
  });

  it('with label smoothing is sp(−z) + εz, and γ defaults to 0.5', () => {
    const input = simpoInput(0.1);
    // [0.474077 + 0.1 · 0.5, 2.578890 + 0.1 · (−2.5)] = [0.524077, 2.328890]
    expectClose(read(preferenceLoss(input)).losses, [0.524077, 2.32889]);
    const { gamma: _omitted, ...noGamma } = input as ReferenceFreePreferenceLossInput;
    expectClose(read(preferenceLoss(noGamma)).losses, [0.524077, 2.32889]);
    disposeInput(input);
  });

  it('pushes the chosen log-prob up and the rejected one down', () => {
    const input = simpoInput();
    const { dChosen, dRejected } = gradsOf(input);
    // d/da_w = −β σ(−z) / B; pair 1: −2 · σ(−0.5) / 2 = −0.377541
    expect(dChosen[0]).toBeCloseTo(-sigma(-0.5), 5);
    dChosen.forEach((d) => expect(d).toBeLessThan(0));
    dRejected.forEach((d) => expect(d).toBeGreaterThan(0));
    disposeInput(input);
  });
});

describe('preferenceLoss: every variant', () => {
  const inputsFor = (lossType: PreferenceLossType): PreferenceLossInput => {
    if (lossType === 'kto')
      return {
        lossType,
        beta: 0.1,
        policyChosen: t([-1]),
        refChosen: t([-2]),
        policyRejected: t([-5]),
        refRejected: t([-3]),
        policyKl: t([-6, -7]),
        refKl: t([-7, -9]),
      };
    if (lossType === 'orpo' || lossType === 'simpo')
      return { lossType, beta: 0.5, policyChosen: t([-0.5, -2]), policyRejected: t([-1, -1]) };
    return pairedInput({ lossType, beta: 0.1 });
  };
  const ALL: PreferenceLossType[] = ['sigmoid', 'ipo', 'hinge', 'robust', 'kto', 'orpo', 'simpo'];

  it('leaks no tensor, forward or backward', () => {
    for (const lossType of ALL) {
      const before = tf.memory().numTensors;
      const input = inputsFor(lossType);
      read(preferenceLoss(input));
      const { dChosen } = gradsOf(input);
      expect(dChosen.every(Number.isFinite)).toBe(true);
      disposeInput(input);
      expect({ lossType, numTensors: tf.memory().numTensors }).toEqual({ lossType, numTensors: before });
    }
  });

  it('rejects an unknown variant, a bad beta, and mismatched shapes', () => {
    const input = pairedInput({ lossType: 'sigmoid', beta: 0.1 });
    expect(() => preferenceLoss({ ...input, lossType: 'dpo' as string as 'sigmoid' })).toThrow(
      'preference loss "dpo" is unknown',
    );
    for (const beta of [0, -1, Number.NaN])
      expect(() => preferenceLoss({ ...input, beta })).toThrow('beta must be a positive number');
    const short = t([-1]);
    expect(() => preferenceLoss({ ...input, refChosen: short } as PreferenceLossInput)).toThrow(
      'inputs must be 1-D of one length',
    );
    short.dispose();
    disposeInput(input);
  });
});
