// Plain-language notes on metrics that confuse practitioners, shown under their charts on the Compare
// page. Each says what a healthy run shows and what should worry you.
export const METRIC_NOTES: Record<string, string> = {
  loss: 'DPO starts at log 2 ≈ 0.693 (the policy equals its reference) and falls as the margin grows; SFT and pretraining losses are per-token cross-entropy and not comparable with it.',
  'rewards/chosen':
    'DPO’s implicit reward of the chosen answers, β·(log π − log π_ref). It often falls: DPO pushes the chosen and the rejected log-probabilities both down, the rejected faster. That is normal while rewards/margins rises.',
  'rewards/rejected':
    'The implicit reward of the rejected answers; it should fall faster than rewards/chosen.',
  'rewards/margins':
    'Chosen minus rejected implicit reward: the number DPO actually optimises. Rising is what you want; a margin that keeps growing long after accuracy is 1 is the policy drifting from the reference.',
  'rewards/accuracies':
    'Share of pairs whose chosen answer has the higher implicit reward. Near 1 on training pairs says little on its own; read it with the held-out evaluation.',
  'logps/chosen':
    'Log-probability of the chosen answers under the policy. Falling is common under DPO (see rewards/chosen); a collapse to very negative values is a sign of over-training.',
  'logps/rejected': 'Log-probability of the rejected answers under the policy; it should fall.',
  'objective/kl':
    'PPO’s KL to the reference, nats per rollout, from the sampled tokens. It rises as the policy moves away from the SFT model; the KL coefficient pulls it back. A steady climb is expected; a jump usually means the policy found something the reward likes.',
  'objective/scores':
    'The reward source’s mean score of the rollouts. When it is a reward model (a proxy), compare it with gold/score: if the proxy rises while gold stalls or falls, the policy is exploiting the reward model (reward hacking).',
  'gold/score':
    'The sandbox gold judge’s mean score of the same rollouts (0 to 1): the true reward, which the policy never sees when it is trained against a reward model.',
  'objective/rlhf_reward':
    'Score minus the KL penalty: what PPO maximises. It can rise while the score stays flat if the KL falls.',
  'objective/non_score_reward': '−β·KL summed over the response: more negative as the policy moves away.',
  'objective/entropy':
    'Mean negative log-probability of the sampled tokens. A steady fall is the policy becoming surer; near zero it has collapsed onto a few answers.',
  'policy/clipfrac':
    'Share of tokens whose probability ratio was clipped. Above ~0.2 the updates are too large for the clip range (lower the learning rate).',
  'policy/approxkl': 'How far one PPO update moved the policy; small (≪ 0.1) is healthy.',
  grad_norm: 'Gradient norm before clipping; spikes mark unstable steps.',
  learning_rate: 'The step size at each step (flat unless the run uses a schedule).',
  kl: 'KTO’s estimate of the KL between policy and reference from mismatched pairs in the batch.',
};
