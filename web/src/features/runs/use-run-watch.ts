import { useEffect, useState } from 'react';
import { call, link } from '../../api/client.ts';
import type { LogRecord, RunBlockDetail, RunDetailRecord, RunRecord, RunStatus } from '@sluice/api';

export interface RunView {
  readonly run: RunDetailRecord | undefined;
  readonly blocks: readonly RunBlockDetail[];
  readonly logs: readonly LogRecord[];
  readonly error: Error | undefined;
  readonly refresh: () => void;
}

const finished = new Set<RunStatus>(['succeeded', 'failed', 'cancelled']);

/**
 * Follows a run: its record and block runs, and its log lines. The lines are
 * read from the store first, then the event stream follows from where that
 * read ended; a run that finishes is read once more, whole. So a fast block
 * whose lines were written before anything subscribed still shows them.
 * Should the stream drop before the run ends, it polls instead; should it
 * fall silent, a slow check of the run's state still sees it finish.
 */
export function useRunWatch(runId: string | undefined): RunView {
  const [run, setRun] = useState<RunDetailRecord>();
  const [blocks, setBlocks] = useState<readonly RunBlockDetail[]>([]);
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
    // While the stream is open it brings the lines after those read from the store.
    let streaming = false;
    let read = 0;
    let source: EventSource | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    let check: ReturnType<typeof setInterval> | undefined;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const params = { id: runId };

    const load = async () => {
      try {
        const state = await call('GET /api/runs/:id', { params });
        const ended = finished.has(state.run.status);
        // Read after the state: a run's lines are stored before it finishes, so a
        // finished state means this read has every line, whatever the stream delivered.
        const logAnswer = streaming && !ended ? undefined : await call('GET /api/runs/:id/logs', { params });
        if (stopped) return;
        setRun(state.run);
        setBlocks(state.blocks);
        if (logAnswer) {
          read = logAnswer.logs.length;
          setLogs(logAnswer.logs);
        }
        setError(undefined);
        if (ended) {
          done = true;
          source?.close();
          if (poll) clearInterval(poll);
          if (check) clearInterval(check);
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
    const stopStreaming = () => {
      source?.close();
      streaming = false;
    };

    void load().then(() => {
      if (stopped || done) return;
      source = new EventSource(link('GET /api/runs/:id/events', { params, query: { log_offset: read } }));
      streaming = true;
      // The state alone, every few seconds: the lines still come only over the stream.
      check = setInterval(() => void load(), 3000);
      source.addEventListener('log', (event) => {
        const line = parse<LogRecord>((event as MessageEvent<string>).data);
        if (!line) return;
        read += 1;
        setLogs((old) => [...old, line]);
      });
      source.addEventListener('block', soon);
      source.addEventListener('run', (event) => {
        const state = parse<RunRecord>((event as MessageEvent<string>).data);
        if (state && finished.has(state.status)) stopStreaming();
        void load();
      });
      source.onerror = () => {
        stopStreaming();
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
      if (check) clearInterval(check);
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
