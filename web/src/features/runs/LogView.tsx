import { useEffect, useRef, useState } from 'react';
import { enc, query } from '../../api/client.ts';
import type { LogRecord } from '../../api/types.ts';
import { atLeast, levelChoices, type LevelChoice } from './log-levels.ts';

/**
 * Log lines as text, following the tail while the user is at the bottom,
 * with a level filter and, for a run, a download of the lines as a file.
 */
export function LogView({ logs, block, runId, testId = 'log-view' }: { logs: readonly LogRecord[]; block?: string | undefined; runId?: string | undefined; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [level, setLevel] = useState<LevelChoice>('');
  const lines = atLeast(block ? logs.filter((l) => l.block === block) : logs, level);
  useEffect(() => {
    const el = box.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <div className="log-panel">
      <div className="log-bar">
        <label className="muted small">
          Show{' '}
          <select value={level} onChange={(e) => setLevel(e.target.value as LevelChoice)} data-testid={`${testId}-level`}>
            {levelChoices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
          </select>
        </label>
        <span className="spacer" />
        {runId && (
          <a className="button small" href={`/api/runs/${enc(runId)}/logs/download${query({ block, level })}`} download data-testid={`${testId}-download`}>
            Download {block ? 'block' : 'run'} logs
          </a>
        )}
      </div>
      <div className="logs" ref={box} data-testid={testId}>
        {lines.length === 0 && <div className="muted small">{logs.length && level ? 'No lines at this level.' : 'No log lines yet.'}</div>}
        {lines.map((line, i) => (
          <div key={i} className={`log-line log-${line.level}`} data-level={line.level}>
            <span className="log-time">{line.at.slice(11, 23)}</span>
            {!block && line.block && <span className="log-block">{line.block}</span>}
            <span className="log-message">{line.message}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
