// Dataset import and export: TRL, ShareGPT/LLaMA-Factory, Alpaca and Anthropic HH files (JSON or
// JSON Lines) in, normalized conversational records out, TRL JSON Lines back. Pure functions over
// strings: reading files and storing records belong to the caller.
export * from './types';
export { detectFormat } from './detect';
export { parseDataset } from './parse';
export { exportTrlJsonl } from './export';
export { toSimplePair, fromSimplePair, toSimpleInstruction, fromSimpleInstruction } from './simple';
export type { SimplePair, SimpleInstruction } from './simple';
export { ALPACA_SEPARATOR } from './alpaca';
