// Which of a Constitutional AI run's pairs teach something (shared by the dataset it makes and the
// pipelines that skip their safety stages when there is none).

/**
 * The pairs whose revision differs from the original. A response no principle flagged comes back
 * unrevised (when the run keeps every response): as a pair it would be the same text chosen and
 * rejected, which teaches nothing and dilutes the rest.
 */
export function revisedCaiPairs<T extends { kind: string; data: Record<string, unknown> }>(
  samples: T[],
): T[] {
  return samples.filter((s) => s.kind === 'cai-pair' && s.data['revised'] !== s.data['original']);
}
