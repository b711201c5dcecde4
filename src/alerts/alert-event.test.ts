import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerSecret } from '../core/project/secrets.ts';
import type { BlockRunRecord, RunRecord } from '../core/run-store/run-store.ts';
import { alertKindForStatus, createAlertEvent, formatAlert, maskEvent, type AlertEvent } from './alert-event.ts';

const failedRun: RunRecord = {
  id: 'run-20240501-001',
  pipeline: 'daily_sales',
  status: 'failed',
  pipelineVersion: 'v1',
  logicalDate: '2024-05-01',
  variables: {},
  trigger: 'schedule',
  attempt: 1,
  startedAt: '2024-05-02T02:00:00.000Z',
  endedAt: '2024-05-02T02:00:12.500Z',
  error: {
    code: 'block.failed',
    message: 'amount is not a number',
    retryable: false,
    kind: 'run',
    location: { file: 'blocks/clean_sales.ts', line: 12, column: 5, block: 'clean_sales' },
  },
};

const blocks: BlockRunRecord[] = [
  { runId: failedRun.id, block: 'raw_sales', status: 'succeeded' },
  { runId: failedRun.id, block: 'clean_sales', status: 'failed' },
  { runId: failedRun.id, block: 'daily_revenue', status: 'skipped' },
];

describe('createAlertEvent', () => {
  it('names the failed block, the error and the link to the run', () => {
    const event = createAlertEvent({ kind: 'failure', run: failedRun, blocks, baseUrl: 'https://sluice.example.com/' });
    assert.equal(event.failedBlock, 'clean_sales');
    assert.equal(event.durationMs, 12_500);
    assert.deepEqual(event.error, {
      code: 'block.failed',
      message: 'amount is not a number',
      location: { file: 'blocks/clean_sales.ts', line: 12, column: 5, block: 'clean_sales' },
    });
    assert.equal(event.runUrl, 'https://sluice.example.com/runs/run-20240501-001');
  });

  it('leaves the link out when no base URL is configured', () => {
    assert.equal(createAlertEvent({ kind: 'failure', run: failedRun }).runUrl, undefined);
  });
});

describe('formatAlert', () => {
  it('tells the pipeline, run, failed block, error with file and line, and link', () => {
    const event = createAlertEvent({ kind: 'failure', run: failedRun, blocks, baseUrl: 'https://sluice.example.com' });
    const { title, text } = formatAlert(event);
    assert.equal(title, 'Sluice: pipeline daily_sales failed');
    assert.equal(
      text,
      [
        'Pipeline daily_sales failed.',
        'Run: run-20240501-001 (failed)',
        'Logical date: 2024-05-01',
        'Started: 2024-05-02T02:00:00.000Z',
        'Ended: 2024-05-02T02:00:12.500Z',
        'Duration: 12.5 s',
        'Failed block: clean_sales',
        'Error: [block.failed] blocks/clean_sales.ts:12:5: amount is not a number',
        'Open the run: https://sluice.example.com/runs/run-20240501-001',
      ].join('\n'),
    );
  });

  it('says a run succeeded or missed its deadline', () => {
    const base: AlertEvent = { kind: 'success', pipeline: 'p', runId: 'r1', status: 'succeeded', startedAt: '2024-05-02T02:00:00Z' };
    assert.equal(formatAlert(base).title, 'Sluice: pipeline p succeeded');
    const late = formatAlert({ ...base, kind: 'deadline', status: 'running', deadline: '2024-05-02T03:00:00Z' });
    assert.equal(late.title, 'Sluice: pipeline p missed its deadline');
    assert.match(late.text, /^Deadline: 2024-05-02T03:00:00Z$/m);
    assert.match(late.text, /^Started: 2024-05-02T02:00:00Z$/m);
    assert.match(formatAlert({ ...base, kind: 'deadline', status: 'queued' }).text, /^Queued: 2024-05-02T02:00:00Z$/m);
    assert.doesNotMatch(late.text, /Failed block|Error|Open the run/);
  });

  it('lists what drifted in which block, and what its policy did', () => {
    const drift = [{ block: 'raw_orders', column: 'order_date', message: 'format of order_date changed: 9999-99-99 -> 99/99/9999', action: 'warned' }];
    const event: AlertEvent = { kind: 'drift', pipeline: 'p', runId: 'r1', status: 'succeeded', startedAt: '2024-05-02T02:00:00Z', drift };
    const message = formatAlert(event);
    assert.equal(message.title, 'Sluice: pipeline p produced output that drifted from its last run');
    assert.match(message.text, /^Drift in raw_orders: format of order_date changed: 9999-99-99 -> 99\/99\/9999 \(warned\)$/m);
  });

  it('masks registered secrets quoted by an error message', () => {
    registerSecret('hunter2-alert-event');
    const event: AlertEvent = {
      kind: 'failure',
      pipeline: 'p',
      runId: 'r1',
      status: 'failed',
      startedAt: '2024-05-02T02:00:00Z',
      error: { code: 'postgres.connect_failed', message: 'password hunter2-alert-event rejected' },
    };
    assert.match(formatAlert(event).text, /password \*\*\* rejected/);
    assert.equal(maskEvent(event).error?.message, 'password *** rejected');
  });
});

describe('alertKindForStatus', () => {
  it('alerts on a failed or succeeded run, never on a cancelled or unfinished one', () => {
    assert.equal(alertKindForStatus('failed'), 'failure');
    assert.equal(alertKindForStatus('succeeded'), 'success');
    for (const status of ['cancelled', 'queued', 'running'] as const) assert.equal(alertKindForStatus(status), undefined);
  });
});
