// Where a run's inference ran (InferenceInfo), as one short label and a sentence: "onnxruntime · cpu ×1"
// or "tfjs", and the reason (a CUDA provider that was not found, a fallback, a setting).
import type { InferenceInfo } from '../../../shared/schemas';

/** e.g. "onnxruntime · cpu ×1", "onnxruntime · cuda", "tfjs". */
export function inferenceLabel(info: InferenceInfo): string {
  if (info.engine === 'tfjs') return 'tfjs';
  const threads = info.provider === 'cpu' && info.threads !== null ? ` ×${info.threads}` : '';
  return `onnxruntime · ${info.provider ?? '?'}${threads}`;
}

/** The label, with the reason on hover and spelled out beside it when `long`. */
export function InferenceLabel({ info, long = false }: { info: InferenceInfo; long?: boolean }) {
  return (
    <span title={info.reason}>
      <strong>{inferenceLabel(info)}</strong>
      {long && <span className="muted"> — {info.reason}</span>}
    </span>
  );
}
