import { useEffect, useState } from 'react';
import type { SchedulePreview } from '@sluice/api';
import { call } from '../../api/client.ts';

/**
 * Asks the server (the scheduler's own tick rule) about `schedule` as the
 * user types, a moment after the typing stops. A schedule the server rejects
 * comes back as `problem`, in the server's words.
 */
export function useSchedulePreview(pipeline: string, schedule: Record<string, unknown> | null): { preview?: SchedulePreview | undefined; problem?: string | undefined } {
  const [answer, setAnswer] = useState<{ key: string; preview?: SchedulePreview; problem?: string }>();
  const key = JSON.stringify(schedule);
  useEffect(() => {
    if (!schedule) return undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      call('POST /api/pipelines/:name/triggers/preview', { params: { name: pipeline }, body: { schedule }, signal: controller.signal }).then(
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
  }, [pipeline, key]);
  return answer?.key === key ? answer : {};
}
