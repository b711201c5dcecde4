import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { CatchupPreview } from './CatchupChoice.tsx';

/** What the server says of a schedule: what saving it would run at once, and its next five times. */
export interface SchedulePreview extends CatchupPreview {
  readonly next_runs: readonly string[];
}

/**
 * Asks the server (the scheduler's own tick rule) about `schedule` as the
 * user types, a moment after the typing stops. A schedule the server rejects
 * comes back as `problem`, in the server's words.
 */
export function useSchedulePreview(route: string, schedule: Record<string, unknown> | null): { preview?: SchedulePreview | undefined; problem?: string | undefined } {
  const [answer, setAnswer] = useState<{ key: string; preview?: SchedulePreview; problem?: string }>();
  const key = JSON.stringify(schedule);
  useEffect(() => {
    if (!schedule) return undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<SchedulePreview>('POST', `${route}/preview`, { schedule }, controller.signal).then(
        (preview) => setAnswer({ key, preview }),
        (failure: Error) => {
          if (!controller.signal.aborted) setAnswer({ key, problem: failure.message });
        },
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // `key` stands for `schedule`, whose identity changes on every render.
  }, [route, key]);
  return answer?.key === key ? answer : {};
}
