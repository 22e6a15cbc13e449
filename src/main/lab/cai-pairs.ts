// Which of a Constitutional AI run's pairs teach something (shared by the dataset it makes and the
// pipelines that skip their safety stages when there is none).

/**
 * The pairs whose revision differs from the original, both with words in them. A response no principle
 * flagged comes back unrevised (when the run keeps every response): as a pair it would be the same
 * text chosen and rejected, which teaches nothing and dilutes the rest. A model that ends its reply at
 * once (a tiny one often does on prompts it never saw) leaves an empty original, which no preference
 * trainer can take as the rejected response.
 */
export function revisedCaiPairs<T extends { kind: string; data: Record<string, unknown> }>(
  samples: T[],
): T[] {
  const words = (x: unknown) => typeof x === 'string' && x.trim() !== '';
  return samples.filter(
    (s) =>
      s.kind === 'cai-pair' &&
      s.data['revised'] !== s.data['original'] &&
      words(s.data['original']) &&
      words(s.data['revised']),
  );
}
