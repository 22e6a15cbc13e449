// Tokens as chips: trained ones (in the SFT loss) highlighted, the rest dimmed, whitespace made
// visible. One tab stop: the arrow keys (and Home/End) move through the tokens, and the one in focus
// is described below the chips; hovering or clicking a chip does the same.
import { Fragment, useId, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { TemplatePreview } from '../../../shared/schemas';
import '../playground.css';

type Token = TemplatePreview['tokens'][number];

/** The token's text with spaces, tabs and newlines drawn (·, →, ↵); "∅" when it decodes to nothing. */
export function visibleText(text: string): string {
  if (text === '') return '∅';
  return text.replace(/ /g, '·').replace(/\t/g, '→').replace(/\r/g, '␍').replace(/\n/g, '↵');
}

const describe = (t: Token, i: number) =>
  `Token ${i + 1}: id ${t.id}, ${JSON.stringify(t.text)}, ${t.trained ? 'trained' : 'not trained'}`;

export function TokenChips({ tokens, label }: { tokens: readonly Token[]; label: string }) {
  const base = useId();
  const [active, setActive] = useState<number | null>(null);
  const current = active !== null && active < tokens.length ? active : null;
  const move = (e: KeyboardEvent) => {
    const last = tokens.length - 1;
    const from = current ?? -1;
    const to =
      e.key === 'ArrowRight' || e.key === 'ArrowDown'
        ? Math.min(from + 1, last)
        : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
          ? Math.max(from - 1, 0)
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? last
              : null;
    if (to === null || last < 0) return;
    e.preventDefault();
    setActive(to);
    document.getElementById(`${base}-${to}`)?.scrollIntoView({ block: 'nearest' });
  };
  const focused = current === null ? undefined : tokens[current];

  return (
    <div className="tok-wrap">
      <ol
        className="tok-chips"
        role="listbox"
        aria-label={label}
        aria-activedescendant={current === null ? undefined : `${base}-${current}`}
        aria-describedby={`${base}-detail`}
        tabIndex={0}
        onKeyDown={move}
        onFocus={() => setActive((a) => a ?? (tokens.length > 0 ? 0 : null))}
      >
        {tokens.map((t, i) => (
          <Fragment key={i}>
            <li
              id={`${base}-${i}`}
              role="option"
              aria-selected={i === current}
              aria-label={describe(t, i)}
              title={`id ${t.id}${t.trained ? ' · trained' : ''}`}
              data-trained={t.trained}
              className={`tok ${t.trained ? 'tok-trained' : 'tok-untrained'}${i === current ? ' tok-active' : ''}`}
              onMouseEnter={() => setActive(i)}
              onClick={() => setActive(i)}
            >
              {visibleText(t.text)}
            </li>
            {/* A newline starts a new row of chips, as it does in the text. */}
            {t.text.endsWith('\n') && <li className="tok-break" role="none" aria-hidden="true" />}
          </Fragment>
        ))}
      </ol>
      <p className="tok-detail" id={`${base}-detail`} aria-live="polite">
        {focused && current !== null
          ? describe(focused, current)
          : 'Focus the tokens and use the arrow keys, or point at one, to see its id.'}
      </p>
    </div>
  );
}
