import { useEffect, useMemo, useRef, useState } from 'react';
import { link } from '../../api/client.ts';
import type { LogRecord } from '@sluice/api';
import { atLeast, levelChoices, type LevelChoice } from './log-levels.ts';
import { splitOnMatches } from '../log-search/find-in-lines.ts';
import { LogSearchBar } from '../log-search/LogSearchBar.tsx';
import { useLogSearch } from '../log-search/use-log-search.ts';

/**
 * Log lines as text, following the tail while the user is at the bottom,
 * with a level filter, a search over the lines it keeps and, for a run, a
 * download of the lines as a file.
 */
export function LogView({ logs, block, runId, testId = 'log-view' }: { logs: readonly LogRecord[]; block?: string | undefined; runId?: string | undefined; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [level, setLevel] = useState<LevelChoice>('');
  const lines = useMemo(() => atLeast(block ? logs.filter((l) => l.block === block) : logs, level), [logs, block, level]);
  const search = useLogSearch(useMemo(() => lines.map((l) => l.message), [lines]));
  const currentLine = search.matches[search.current];
  const shown = search.onlyMatches && search.query.trim() ? search.matches.map((i) => ({ line: lines[i]!, i })) : lines.map((line, i) => ({ line, i }));
  useEffect(() => {
    const el = box.current;
    if (el && currentLine === undefined && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [lines.length, currentLine]);
  useEffect(() => {
    if (currentLine !== undefined) box.current?.querySelector(`[data-line="${currentLine}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [currentLine, search.onlyMatches]);
  return (
    <div className="log-panel">
      <div className="log-bar">
        <label className="muted small">
          Show{' '}
          <select value={level} onChange={(e) => setLevel(e.target.value as LevelChoice)} data-testid={`${testId}-level`}>
            {levelChoices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
          </select>
        </label>
        <LogSearchBar search={search} testId={testId} />
        <span className="spacer" />
        {runId && (
          <a className="button small" href={link('GET /api/runs/:id/logs/download', { params: { id: runId }, query: { block, level: level || undefined } })} download data-testid={`${testId}-download`}>
            Download {block ? 'block' : 'run'} logs
          </a>
        )}
      </div>
      <div className="logs" ref={box} data-testid={testId}>
        {lines.length === 0 && <div className="muted small">{logs.length && level ? 'No lines at this level.' : 'No log lines yet.'}</div>}
        {shown.map(({ line, i }) => (
          <div key={i} className={`log-line log-${line.level}${i === currentLine ? ' look-log-current' : ''}`} data-level={line.level} data-line={i} data-match={search.matching.has(i) || undefined}>
            <span className="log-time">{line.at.slice(11, 23)}</span>
            {!block && line.block && <span className="log-block">{line.block}</span>}
            <span className="log-message">
              {search.matching.has(i) ? splitOnMatches(line.message, search.query).map((piece, j) => (piece.hit ? <mark key={j} className="look-log-hit">{piece.text}</mark> : piece.text)) : line.message}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}
