import { useEffect, useRef } from 'react';
import type { LogRecord } from '../../api/types.ts';

/** Log lines as text, following the tail while the user is at the bottom. */
export function LogView({ logs, block, testId = 'log-view' }: { logs: readonly LogRecord[]; block?: string | undefined; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const lines = block ? logs.filter((l) => l.block === block) : logs;
  useEffect(() => {
    const el = box.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <div className="logs" ref={box} data-testid={testId}>
      {lines.length === 0 && <div className="muted small">No log lines yet.</div>}
      {lines.map((line, i) => (
        <div key={i} className={`log-line log-${line.level}`}>
          <span className="log-time">{line.at.slice(11, 23)}</span>
          {!block && line.block && <span className="log-block">{line.block}</span>}
          <span className="log-message">{line.message}</span>
        </div>
      ))}
    </div>
  );
}
