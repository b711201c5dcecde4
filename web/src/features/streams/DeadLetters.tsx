import { useState } from 'react';
import type { DeadLetterEntry } from '@sluice/api';
import { call, endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatTime } from '../../format.ts';
import { useCan } from '../users/session-context.ts';

type Selection = { id: string } | { all: true };

/**
 * A stream's dead letters: each one's id, deliveries, reason and payload
 * (opened on a click), and for operators and up, replay into the source or
 * drop, one or all.
 */
export function DeadLetters({ pipeline, onChanged }: { pipeline: string; onChanged: () => void }) {
  const { data, error, reload } = useApi(endpoint('GET /api/streams/:name/dead-letters', { params: { name: pipeline } }), { pollMs: 10_000 });
  const canAct = useCan('operator');
  const [open, setOpen] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string>();
  const [failure, setFailure] = useState<Error>();
  const act = (verb: 'replay' | 'drop', selection: Selection) => {
    if ('all' in selection && !window.confirm(`${verb === 'replay' ? 'Replay' : 'Drop'} every dead letter of ${pipeline}?`)) return;
    setBusy(true);
    setFailure(undefined);
    (verb === 'replay' ? call('POST /api/streams/:name/dead-letters/replay', { params: { name: pipeline }, body: selection }) : call('POST /api/streams/:name/dead-letters/drop', { params: { name: pipeline }, body: selection }))
      .then((answer) => {
        if ('replayed' in answer) setNote(`Replayed ${answer.replayed} into the source${answer.error ? `; stopped: ${answer.error}` : ''}`);
        else setNote(`Dropped ${answer.dropped}`);
        reload();
        onChanged();
      }, setFailure)
      .finally(() => setBusy(false));
  };
  const letters = data?.letters ?? [];
  return (
    <section className="stream-dead-letters" data-testid="dead-letters">
      <header className="stream-section-head">
        <h3>Dead letters {data && <span className="muted small">({letters.length}{data.more ? '+' : ''})</span>}</h3>
        {canAct && letters.length > 0 && (
          <span>
            <button type="button" className="button small" disabled={busy} onClick={() => act('replay', { all: true })} data-testid="dead-letters-replay-all" title="Publish every dead letter again into the source">
              Replay all
            </button>{' '}
            <button type="button" className="button small danger" disabled={busy} onClick={() => act('drop', { all: true })} data-testid="dead-letters-drop-all">
              Drop all
            </button>
          </span>
        )}
      </header>
      <ErrorNote error={error ?? failure} />
      {note && <p className="small" data-testid="dead-letters-note" role="status">{note}</p>}
      <table className="table dense" data-testid="dead-letters-table">
        <thead>
          <tr><th>Message</th><th className="num">Deliveries</th><th>Failed at</th><th>Reason</th>{canAct && <th />}</tr>
        </thead>
        <tbody>
          {letters.map((letter) => (
            <LetterRow key={letter.messageId} letter={letter} open={open === letter.messageId} onToggle={() => setOpen(open === letter.messageId ? undefined : letter.messageId)} canAct={canAct} busy={busy} act={act} />
          ))}
          {data && letters.length === 0 && (
            <tr><td colSpan={canAct ? 5 : 4} className="empty" data-testid="dead-letters-empty">No dead letters: every message so far parsed, validated and transformed.</td></tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

function LetterRow({ letter, open, onToggle, canAct, busy, act }: { letter: DeadLetterEntry; open: boolean; onToggle: () => void; canAct: boolean; busy: boolean; act: (verb: 'replay' | 'drop', selection: Selection) => void }) {
  return (
    <>
      <tr className="clickable" onClick={onToggle} data-testid="dead-letter-row" data-message-id={letter.messageId} aria-expanded={open}>
        <td className="mono small">{letter.messageId}</td>
        <td className="num">{letter.deliveries}</td>
        <td className="small">{formatTime(letter.failedAt)}</td>
        <td className="small" data-testid="dead-letter-reason">{letter.reason}</td>
        {canAct && (
          <td className="actions" onClick={(e) => e.stopPropagation()}>
            <button type="button" className="button small" disabled={busy} onClick={() => act('replay', { id: letter.messageId })} data-testid="dead-letter-replay" title="Publish it again into the source">
              Replay
            </button>
            <button type="button" className="button small danger" disabled={busy} onClick={() => act('drop', { id: letter.messageId })} data-testid="dead-letter-drop">
              Drop
            </button>
          </td>
        )}
      </tr>
      {open && (
        <tr data-testid="dead-letter-detail">
          <td colSpan={canAct ? 5 : 4}>
            <div className="small muted">from {letter.source}{letter.payloadEncoding === 'base64' ? ', payload in base64 (not UTF-8)' : ''}</div>
            <pre className="stream-payload" data-testid="dead-letter-payload">{letter.payload}</pre>
          </td>
        </tr>
      )}
    </>
  );
}
