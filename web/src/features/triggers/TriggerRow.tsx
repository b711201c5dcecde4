import { useState } from 'react';
import { api, enc } from '../../api/client.ts';
import type { Triggers } from '../../api/types.ts';
import { useApi } from '../../api/use-api.ts';
import { formatRelative, formatSchedule, parseScheduleText } from '../../format.ts';
import { navigate } from '../../router.ts';
import { CatchupChoice, type CatchupPreview } from './CatchupChoice.tsx';

/** One pipeline's schedule and API trigger, edited in place and written to its file. */
export function TriggerRow({ pipeline, nextRun }: { pipeline: string; nextRun: string | null | undefined }) {
  const route = `/api/pipelines/${enc(pipeline)}/triggers`;
  const { data, error, reload } = useApi<Triggers>(route);
  // What the user typed, until saved; otherwise the file's schedule shows.
  const [draft, setDraft] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const saved = data?.schedule ? formatSchedule(data.schedule) : '';
  const schedule = draft ?? saved;

  const put = (body: Record<string, unknown>) =>
    api('PUT', route, body).then(
      () => {
        setProblem(undefined);
        if ('schedule' in body) setDraft(undefined);
        reload();
      },
      (failure: Error) => setProblem(failure.message),
    );
  // A schedule whose intervals have already ended runs them at once: ask first.
  const [preview, setPreview] = useState<{ schedule: Record<string, unknown>; answer: CatchupPreview }>();
  const saveSchedule = (next: Record<string, unknown> | null) => {
    if (!next) return void put({ schedule: null });
    api<CatchupPreview>('POST', `${route}/preview`, { schedule: next }).then(
      (answer) => (answer.due.length ? setPreview({ schedule: next, answer }) : void put({ schedule: next })),
      (failure: Error) => setProblem(failure.message),
    );
  };
  const choose = (startFromNext: boolean) => {
    if (!preview) return;
    const start = preview.answer.start_from_next;
    setPreview(undefined);
    void put({ schedule: startFromNext && start ? { ...preview.schedule, start_date: start } : preview.schedule });
  };
  const runNow = () => api<{ run_id: string }>('POST', `/api/pipelines/${enc(pipeline)}/runs`, {}).then(({ run_id }) => navigate(`/runs/${enc(run_id)}`), (f: Error) => setProblem(f.message));
  const changed = schedule.trim() !== saved;

  return (
    <tr data-testid={`trigger-row-${pipeline}`}>
      <td className="strong">{pipeline}</td>
      <td>
        <form className="inline" onSubmit={(e) => { e.preventDefault(); saveSchedule(parseScheduleText(schedule, (data?.schedule as { timezone?: unknown } | null)?.timezone)); }}>
          <input className="mono" value={schedule} placeholder="0 6 * * *  or  30m  (empty: none)" onChange={(e) => setDraft(e.target.value)} data-testid={`schedule-input-${pipeline}`} />
          <button type="submit" className="button small" disabled={!changed} data-testid={`schedule-save-${pipeline}`}>Save</button>
        </form>
        {(problem ?? error?.message) && <div className="text-error small">{problem ?? error?.message}</div>}
        {preview && <CatchupChoice pipeline={pipeline} preview={preview.answer} onRun={() => choose(false)} onSkip={() => choose(true)} onCancel={() => setPreview(undefined)} />}
      </td>
      <td>
        <label className="switch" title="Run on the schedule">
          <input type="checkbox" disabled={!data?.schedule} checked={Boolean(data?.schedule_enabled)} onChange={(e) => void put({ schedule_enabled: e.target.checked })} data-testid={`schedule-enabled-${pipeline}`} />
          <span>{data?.schedule_enabled ? 'on' : 'off'}</span>
        </label>
      </td>
      <td className="muted small">{data?.schedule_enabled ? formatRelative(nextRun) : '—'}</td>
      <td>
        <label className="switch" title="Let API tokens start runs (POST /api/pipelines/NAME/runs)">
          <input type="checkbox" checked={Boolean(data?.api_enabled)} onChange={(e) => void put({ api_enabled: e.target.checked })} data-testid={`api-enabled-${pipeline}`} />
          <span>{data?.api_enabled ? 'on' : 'off'}</span>
        </label>
      </td>
      <td className="muted small">{data?.on_file ? JSON.stringify(data.on_file) : '—'}</td>
      <td className="actions">
        <button type="button" className="button small" onClick={() => void runNow()} data-testid={`run-now-${pipeline}`}>▶ Run now</button>
      </td>
    </tr>
  );
}
