import { useState } from 'react';
import type { Triggers } from '@sluice/api';
import { call, endpoint, enc } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { formatRelative } from '../../format.ts';
import { navigate } from '../../router.ts';
import { FileTriggerEditor } from './FileTriggerEditor.tsx';
import { ScheduleEditor, type TriggersChange } from './ScheduleEditor.tsx';
import { useCan } from '../users/session-context.ts';

/** What an `on_stream` trigger runs on, in words. */
function streamTriggerText(trigger: NonNullable<Triggers['on_stream']>): string {
  const when = [trigger.window_closed ? 'when a window closes' : undefined, trigger.every_records !== undefined ? `every ${trigger.every_records} records` : undefined].filter(Boolean).join(' and ');
  return `Runs on stream ${trigger.pipeline}: ${when}`;
}

/** One pipeline's triggers (schedule, API, file arrival, stream events); all but stream events edited in place and written to its file. */
export function TriggerRow({ pipeline, nextRun }: { pipeline: string; nextRun: string | null | undefined }) {
  const params = { name: pipeline };
  const canOperate = useCan('operator');
  const { data, error, reload } = useApi(endpoint('GET /api/pipelines/:name/triggers', { params }));
  const [problem, setProblem] = useState<string>();
  const schedule = data?.schedule as Readonly<Record<string, unknown>> | null | undefined;
  const onFile = (data?.on_file as { path?: string } | null | undefined)?.path ?? '';

  /** Writes a change to the pipeline file; resolves whether it was written. */
  const put = (body: TriggersChange) =>
    call('PUT /api/pipelines/:name/triggers', { params, body }).then(
      () => {
        setProblem(undefined);
        reload();
        return true;
      },
      (failure: Error) => {
        setProblem(failure.message);
        return false;
      },
    );
  const runNow = () => call('POST /api/pipelines/:name/runs', { params, body: {} }).then(({ run_id }) => navigate(`/runs/${enc(run_id)}`), (f: Error) => setProblem(f.message));

  return (
    <section className="sched-card" data-testid={`trigger-row-${pipeline}`}>
      <header className="sched-card-head">
        <h2>{pipeline}</h2>
        <label className="switch" title="Run on the schedule">
          <input type="checkbox" disabled={!schedule || !canOperate} checked={Boolean(data?.schedule_enabled)} onChange={(e) => void put({ schedule_enabled: e.target.checked })} data-testid={`schedule-enabled-${pipeline}`} />
          <span>schedule {data?.schedule_enabled ? 'on' : 'off'}</span>
        </label>
        <span className="muted small" data-testid={`next-run-${pipeline}`}>{data?.schedule_enabled && nextRun ? `next ${formatRelative(nextRun)}` : ''}</span>
        <label className="switch" title="Let API tokens start runs (POST /api/pipelines/NAME/runs)">
          <input type="checkbox" disabled={!canOperate} checked={Boolean(data?.api_enabled)} onChange={(e) => void put({ api_enabled: e.target.checked })} data-testid={`api-enabled-${pipeline}`} />
          <span>API trigger {data?.api_enabled ? 'on' : 'off'}</span>
        </label>
        {canOperate && <button type="button" className="button small" onClick={() => void runNow()} data-testid={`run-now-${pipeline}`}>▶ Run now</button>}
      </header>
      {(problem ?? error?.message) && <div className="text-error small" data-testid={`trigger-problem-${pipeline}`}>{problem ?? error?.message}</div>}
      {data && (
        <div className="sched-card-body">
          <ScheduleEditor pipeline={pipeline} saved={schedule} put={put} />
          <FileTriggerEditor key={onFile} pipeline={pipeline} saved={onFile} put={put} />
          {data.on_stream && <p className="muted small" data-testid={`stream-trigger-${pipeline}`}>{streamTriggerText(data.on_stream)} (set in the pipeline file)</p>}
        </div>
      )}
    </section>
  );
}
