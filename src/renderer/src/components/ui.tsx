// Small presentational pieces: fields with their error, alerts, empty and not-found states.
import { useId } from 'react';
import type { ReactNode } from 'react';
import { Link } from '../router';
import { errorMessage } from '../lab';

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: string;
  /** Keep the label for screen readers only (e.g. inside a table row that already has headers). */
  hideLabel?: boolean;
  /** Renders the control with the ids that tie it to its label, hint and error. */
  children: (props: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}

/** A labelled control; an error appears right under it with role="alert". */
export function Field({ label, error, hint, hideLabel = false, children }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : undefined}>
        {label}
      </label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function Alert({ children }: { children: ReactNode }) {
  return (
    <div className="alert" role="alert">
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function LoadError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <Alert>
      <p>{errorMessage(error)}</p>
      <button type="button" onClick={retry}>
        Try again
      </button>
    </Alert>
  );
}

export function NotFound({ what, back, backLabel }: { what: string; back: string; backLabel: string }) {
  return (
    <section className="empty not-found">
      <h1 tabIndex={-1}>Not found</h1>
      <p>{what}</p>
      <p>
        <Link to={back}>{backLabel}</Link>
      </p>
    </section>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** A date as the user's locale writes it, with the ISO string as a tooltip. */
export function When({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">—</span>;
  const date = new Date(iso);
  return (
    <time dateTime={iso} title={iso}>
      {Number.isNaN(date.getTime()) ? iso : date.toLocaleString()}
    </time>
  );
}
