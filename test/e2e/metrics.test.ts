import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, sluice, tempDir, writeProject } from './cli-helpers.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const number = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$/;

/**
 * A strict reader of the Prometheus text format (0.0.4): every line is a
 * HELP, a TYPE, another comment or a sample of a family whose TYPE came
 * first; counters end in _total, histograms show only _bucket (with `le`),
 * _sum and _count; label values use only the three escapes the format has.
 * Anything else throws, naming the line.
 */
function parsePrometheusText(body: string): Sample[] {
  assert.ok(body.endsWith('\n'), 'the body ends with a line feed');
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  body
    .slice(0, -1)
    .split('\n')
    .forEach((line, index) => {
      const where = `line ${index + 1} '${line}'`;
      if (line.startsWith('#')) {
        const help = /^# HELP (\S+) (.*)$/.exec(line);
        const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
        if (help) {
          assert.match(help[1]!, metricName, where);
          assert.ok(!helps.has(help[1]!), `${where}: a second HELP`);
          assert.doesNotMatch(help[2]!.replace(/\\[\\n]/g, ''), /\\/, `${where}: HELP escapes only \\\\ and \\n`);
          helps.add(help[1]!);
        } else if (type) {
          assert.match(type[1]!, metricName, where);
          assert.ok(!types.has(type[1]!), `${where}: a second TYPE`);
          if (type[2] === 'counter') assert.match(type[1]!, /_total$/, `${where}: a counter ends in _total`);
          types.set(type[1]!, type[2]!);
        } else assert.ok(!/^# (HELP|TYPE)\b/.test(line), `${where}: a malformed HELP or TYPE`);
        return;
      }
      samples.push(parseSample(line, where, types));
    });
  return samples;
}

function parseSample(line: string, where: string, types: Map<string, string>): Sample {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
  assert.ok(name, `${where}: a sample starts with a metric name`);
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at += 1;
    while (line[at] !== '}') {
      const label = /^[^=]*/.exec(line.slice(at))![0];
      assert.match(label, labelName, `${where}: label name`);
      assert.ok(!(label in labels), `${where}: label ${label} twice`);
      at += label.length;
      assert.equal(line.slice(at, at + 2), '="', `${where}: a label value is quoted`);
      at += 2;
      let value = '';
      for (;;) {
        const char = line[at];
        assert.ok(char !== undefined, `${where}: an unterminated label value`);
        if (char === '"') break;
        if (char === '\\') {
          const escaped = line[at + 1];
          assert.ok(escaped === '\\' || escaped === '"' || escaped === 'n', `${where}: '\\${escaped}' is not an escape`);
          value += escaped === 'n' ? '\n' : escaped;
          at += 2;
        } else {
          value += char;
          at += 1;
        }
      }
      labels[label] = value;
      at += 1;
      if (line[at] === ',') at += 1;
      else assert.equal(line[at], '}', `${where}: labels are separated by commas`);
    }
    at += 1;
  }
  const [value, timestamp, ...rest] = line.slice(at).trimStart().split(' ');
  assert.equal(line[at], ' ', `${where}: a space before the value`);
  assert.match(value ?? '', number, `${where}: the value is a number`);
  assert.ok(timestamp === undefined || /^-?\d+$/.test(timestamp), `${where}: a timestamp is whole milliseconds`);
  assert.equal(rest.length, 0, `${where}: nothing after the timestamp`);
  const histogram = /^(.*)_(bucket|sum|count)$/.exec(name);
  const family = types.has(name) ? name : histogram && types.get(histogram[1]!) === 'histogram' ? histogram[1]! : undefined;
  assert.ok(family, `${where}: ${name} has no TYPE before it`);
  if (types.get(family) === 'histogram') {
    assert.notEqual(family, name, `${where}: a histogram shows only _bucket, _sum and _count`);
    assert.equal('le' in labels, histogram![2] === 'bucket', `${where}: buckets, and only they, have le`);
  }
  return { name, labels, value: value === 'NaN' ? NaN : value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value) };
}

describe('/metrics: Prometheus metrics of sluice serve and sluice scheduler', () => {
  const { dir, cleanup } = tempDir('sluice-metrics-');
  const scrapeToken = randomBytes(24).toString('base64url');
  const children: ChildProcess[] = [];
  let base = '';
  let token = '';
  let output = '';

  const start = (args: string[], env: NodeJS.ProcessEnv, log: (text: string) => void): ChildProcess => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => log(d.toString()));
    child.stderr!.on('data', (d: Buffer) => log(d.toString()));
    children.push(child);
    return child;
  };
  const env = (): NodeJS.ProcessEnv => {
    const values: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1', SLUICE_TEST_METRICS_TOKEN: scrapeToken };
    delete values.SLUICE_API_TOKEN;
    return values;
  };
  const get = (url: string, auth?: string) => fetch(url, { headers: auth ? { authorization: `Bearer ${auth}` } : {} });

  before(async () => {
    const files: Record<string, string> = {
      'sluice.yaml': 'name: measured\nmetrics:\n  token: ${SLUICE_TEST_METRICS_TOKEN}\n',
      'pipelines/orders.yaml': 'blocks:\n  - { name: made, file: blocks/made.sql }\n  - { name: doubled, file: blocks/doubled.sql, upstream: [made] }\n',
      'blocks/made.sql': 'SELECT i AS id FROM range(7) t(i)\n',
      'blocks/doubled.sql': 'SELECT id * 2 AS twice FROM made\n',
      'pipelines/broken.yaml': 'blocks:\n  - { name: fails, file: blocks/fails.sql }\n',
      'blocks/fails.sql': "SELECT error('no such thing')\n",
      // Ten sales a day of about 100 each, twice as much from 2024-01-20 on: a warn check fails and the sum is flagged.
      'pipelines/watched.yaml': [
        'blocks:',
        '  - name: sold',
        '    file: blocks/sold.sql',
        '    metrics: [amount]',
        '    checks:',
        '      - unique: id',
        '      - range: { column: amount, max: 150 }',
        '        severity: warn',
        '',
      ].join('\n'),
      'blocks/sold.sql': "SELECT i AS id, (100 + hash(getvariable('logical_date')) % 7) * CASE WHEN getvariable('logical_date') >= '2024-01-20' THEN 2 ELSE 1 END AS amount FROM range(10) t(i)\n",
    };
    writeProject(dir, files);
    const child = start(['serve', '--port', '0', '--no-scheduler', '--log-format', 'json'], env(), (text) => (output += text));
    base = await waitFor(() => /API on (http:\/\/[^\s"]+)/.exec(output)?.[1], { what: 'the server to start', giveUpWhen: () => (child.exitCode !== null ? output : undefined) });
    token = readFileSync(path.join(dir, '.sluice/api-token'), 'utf8').trim();
  });
  after(async () => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        return exited;
      }),
    );
    cleanup();
  });

  const trigger = async (pipeline: string, body: Record<string, string> = {}): Promise<string> => {
    const response = await fetch(`${base}/api/pipelines/${pipeline}/runs`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
    assert.equal(response.status, 202);
    const { run_id: runId } = (await response.json()) as { run_id: string };
    await waitFor(
      async () => {
        const { run } = (await (await get(`${base}/api/runs/${runId}`, token)).json()) as { run: { status: string } };
        return !['queued', 'running'].includes(run.status);
      },
      { what: `run ${runId} to finish` },
    );
    return runId;
  };
  const value = (samples: Sample[], name: string, labels: Record<string, string>): number | undefined =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;

  it('answers only with the API token, a session or the metrics token', async () => {
    assert.equal((await get(`${base}/metrics`)).status, 401);
    assert.equal((await get(`${base}/metrics`, 'wrong-token')).status, 401);
    const withApiToken = await get(`${base}/metrics`, token);
    assert.equal(withApiToken.status, 200);
    assert.equal(withApiToken.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal((await get(`${base}/metrics`, scrapeToken)).status, 200);
    // The scrapers' token opens /metrics only, never the API.
    assert.equal((await get(`${base}/api/runs`, scrapeToken)).status, 401);
  });

  it('counts runs by pipeline and status, block durations and rows written, in valid text format', async () => {
    const succeeded = await trigger('orders');
    const failed = await trigger('broken');
    const body = await (await get(`${base}/metrics`, scrapeToken)).text();
    const samples = parsePrometheusText(body);
    assert.equal(value(samples, 'sluice_runs', { pipeline: 'orders', status: 'succeeded' }), 1);
    assert.equal(value(samples, 'sluice_runs', { pipeline: 'broken', status: 'failed' }), 1);
    assert.equal(value(samples, 'sluice_runs', { pipeline: 'orders', status: 'failed' }), 0);
    assert.equal(value(samples, 'sluice_queued_runs', {}), 0);
    assert.equal(value(samples, 'sluice_runs_finished_total', { pipeline: 'orders', status: 'succeeded' }), 1);
    assert.equal(value(samples, 'sluice_rows_written_total', { pipeline: 'orders', block: 'made' }), 7);
    assert.equal(value(samples, 'sluice_rows_written_total', { pipeline: 'orders', block: 'doubled' }), 7);
    assert.equal(value(samples, 'sluice_block_duration_seconds_count', { pipeline: 'orders', block: 'made' }), 1);
    assert.equal(value(samples, 'sluice_block_duration_seconds_bucket', { pipeline: 'orders', block: 'made', le: '+Inf' }), 1);
    assert.ok((value(samples, 'sluice_block_duration_seconds_sum', { pipeline: 'orders', block: 'made' }) ?? -1) >= 0);

    // The JSON log lines name the runs they are about.
    const lines = output.trim().split('\n').map((line) => JSON.parse(line) as { time: string; level: string; run?: string; message: string });
    assert.ok(lines.every((line) => !Number.isNaN(Date.parse(line.time)) && typeof line.message === 'string'));
    assert.equal(lines.find((line) => line.run === succeeded)?.level, 'info');
    assert.equal(lines.find((line) => line.run === failed)?.level, 'error');
    assert.ok(!output.includes(scrapeToken), 'the metrics token never shows in the logs');
  });

  it('counts failed checks by severity and flagged anomalies, by pipeline, block and check or metric', async () => {
    // Nineteen days of history from the command line (another process: not counted here), then the jump through the server.
    const history = await sluice(dir, ['run', 'watched', '--backfill', '2024-01-01..2024-01-19'], { SLUICE_TEST_METRICS_TOKEN: scrapeToken });
    assert.equal(history.code, 0, history.stderr + history.stdout);
    await trigger('watched', { logical_date: '2024-01-20' });
    const samples = await waitFor(
      async () => {
        const scraped = parsePrometheusText(await (await get(`${base}/metrics`, scrapeToken)).text());
        return scraped.some((s) => s.name === 'sluice_anomalies_total') ? scraped : undefined;
      },
      { what: 'the run to be counted' },
    );
    assert.equal(value(samples, 'sluice_check_failures_total', { pipeline: 'watched', block: 'sold', check: 'range_amount', severity: 'warn' }), 1);
    assert.equal(value(samples, 'sluice_check_failures_total', { pipeline: 'watched', block: 'sold', check: 'unique_id', severity: 'error' }), 0);
    assert.equal(value(samples, 'sluice_anomalies_total', { pipeline: 'watched', block: 'sold', metric: 'sum:amount' }), 1);
    assert.equal(value(samples, 'sluice_anomalies_total', { pipeline: 'watched', block: 'sold', metric: 'rows' }), 0);
    assert.ok(samples.filter((s) => s.name === 'sluice_anomalies_total').every((s) => s.labels.pipeline === 'watched'));
  });

  it('sluice scheduler --metrics-port serves the same run counts from the shared run store', async () => {
    let schedulerOutput = '';
    const child = start(['scheduler', '--metrics-port', '0'], env(), (text) => (schedulerOutput += text));
    const metricsUrl = await waitFor(() => /metrics on (http:\/\/\S+)/.exec(schedulerOutput)?.[1], {
      what: 'the scheduler to serve metrics',
      giveUpWhen: () => (child.exitCode !== null ? schedulerOutput : undefined),
    });
    assert.equal((await get(metricsUrl)).status, 401);
    const samples = parsePrometheusText(await (await get(metricsUrl, scrapeToken)).text());
    assert.equal(value(samples, 'sluice_runs', { pipeline: 'orders', status: 'succeeded' }), 1);
    assert.equal(value(samples, 'sluice_runs', { pipeline: 'broken', status: 'failed' }), 1);
  });

  it('sluice run --log-format json writes every line as JSON, naming the run and the block', async () => {
    const ran = await sluice(dir, ['run', 'broken', '--log-format', 'json'], { SLUICE_TEST_METRICS_TOKEN: scrapeToken });
    assert.equal(ran.code, 1);
    const lines = `${ran.stdout}${ran.stderr}`.trim().split('\n').map((line) => JSON.parse(line) as { level: string; run?: string; block?: string; message: string });
    const run = lines[0]?.run;
    assert.ok(run, 'the first line names the run');
    assert.ok(lines.every((line) => line.run === run), 'every line names the run');
    const failedBlock = lines.find((line) => line.block === 'fails' && line.level === 'error');
    assert.match(failedBlock?.message ?? '', /fails/);
    assert.ok(lines.some((line) => /no such thing/.test(line.message) && line.level === 'error'), 'the error is a line of its own');
  });

  it('the strict reader refuses what the format does not allow', () => {
    assert.throws(() => parsePrometheusText('# TYPE a_count counter\na_count 1\n'), /_total/);
    assert.throws(() => parsePrometheusText('# TYPE a gauge\na{x="bad \\t escape"} 1\n'), /not an escape/);
    assert.throws(() => parsePrometheusText('b 1\n'), /no TYPE/);
    assert.throws(() => parsePrometheusText('# TYPE a gauge\na one\n'), /a number/);
    assert.deepEqual(parsePrometheusText('# TYPE a gauge\na{x="q\\"\\\\\\n"} +Inf\n'), [{ name: 'a', labels: { x: 'q"\\\n' }, value: Infinity }]);
  });
});
