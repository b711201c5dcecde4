import { useEffect, useState } from 'react';
import { api, enc } from '../../api/client.ts';
import type { BlockRunRecord, LogRecord, RunRecord } from '../../api/types.ts';

export interface RunView {
  readonly run: RunRecord | undefined;
  readonly blocks: readonly BlockRunRecord[];
  readonly logs: readonly LogRecord[];
  readonly error: Error | undefined;
  readonly refresh: () => void;
}

const finished = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Follows a run: its record and block runs, and its log lines live from the
 * event stream. Should the stream drop before the run ends, it polls instead.
 */
export function useRunWatch(runId: string | undefined): RunView {
  const [run, setRun] = useState<RunRecord>();
  const [blocks, setBlocks] = useState<readonly BlockRunRecord[]>([]);
  const [logs, setLogs] = useState<readonly LogRecord[]>([]);
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!runId) {
      setRun(undefined);
      setBlocks([]);
      setLogs([]);
      return;
    }
    let stopped = false;
    let done = false;
    // While the event stream is open it is the only source of log lines: it replays them from
    // the first, so a list fetched alongside would double some.
    let streaming = false;
    let streamed = 0;
    let source: EventSource | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const base = `/api/runs/${enc(runId)}`;

    const load = async () => {
      try {
        const [state, logAnswer] = await Promise.all([api<{ run: RunRecord; blocks: BlockRunRecord[] }>('GET', base), streaming ? undefined : api<{ logs: LogRecord[] }>('GET', `${base}/logs`)]);
        if (stopped) return;
        setRun(state.run);
        setBlocks(state.blocks);
        if (logAnswer && !streaming) setLogs(logAnswer.logs);
        setError(undefined);
        if (finished.has(state.run.status)) {
          done = true;
          source?.close();
          if (poll) clearInterval(poll);
        }
      } catch (failure) {
        if (!stopped) setError(failure as Error);
      }
    };
    // Events come in bursts; one reload answers a burst.
    const soon = () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        void load();
      }, 150);
    };
    const startPolling = () => {
      if (!poll && !done) poll = setInterval(() => void load(), 700);
    };

    void load().then(() => {
      if (stopped || done) return;
      source = new EventSource(`${base}/events`);
      streaming = true;
      source.addEventListener('log', (event) => {
        const line = parse<LogRecord>((event as MessageEvent<string>).data);
        if (!line) return;
        streamed += 1;
        const first = streamed === 1;
        setLogs((old) => (first ? [line] : [...old, line]));
      });
      source.addEventListener('block', soon);
      source.addEventListener('run', (event) => {
        const state = parse<RunRecord>((event as MessageEvent<string>).data);
        if (state && finished.has(state.status)) source?.close();
        void load();
      });
      source.onerror = () => {
        source?.close();
        streaming = false;
        if (!done) {
          void load();
          startPolling();
        }
      };
    });
    return () => {
      stopped = true;
      source?.close();
      if (poll) clearInterval(poll);
      if (pending) clearTimeout(pending);
    };
  }, [runId, tick]);

  return { run, blocks, logs, error, refresh: () => setTick((t) => t + 1) };
}

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
