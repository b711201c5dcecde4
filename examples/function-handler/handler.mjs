// A pipeline run from a serverless function: `handler(event)` is what the
// platform calls for each invocation. The project is opened once per instance
// (at its cold start) and reused while the instance stays warm.
//
// The event:  { "pipeline": "daily_sales", "logicalDate": "2026-12-01", "variables": { "tax_rate": 0.08 } }
// The answer: { statusCode, body } with the run's id, status, rows and any error with its file and line.
import { accessSync, constants, cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openProject } from 'sluice';

/** The project to run: SLUICE_PROJECT, else the sales example beside this folder. */
const projectDir = process.env.SLUICE_PROJECT ?? fileURLToPath(new URL('../sales/', import.meta.url));

let opened;

export async function handler(event = {}) {
  opened ??= openProject(writableCopy(projectDir));
  const project = await opened;
  const run = await project.runPipeline(event.pipeline ?? 'daily_sales', {
    logicalDate: event.logicalDate,
    variables: event.variables,
  });
  const body = {
    runId: run.runId,
    pipeline: run.pipeline,
    status: run.status,
    durationMs: run.durationMs,
    rowsRejected: run.rowsRejected,
    blocks: run.blocks.map((b) => ({ block: b.block, status: b.status, rowsOut: b.rowsOut, summary: b.summary })),
    ...(run.error ? { error: run.error.describe(project.root) } : {}),
  };
  return { statusCode: run.status === 'succeeded' ? 200 : 500, body: JSON.stringify(body) };
}

/** Closes the project; call it from the platform's shutdown hook (SIGTERM), or when invoked locally. */
export async function close() {
  if (opened) await (await opened).close();
  opened = undefined;
}

// A function's code folder is often read-only, and a run writes its history and outputs
// into the project's .sluice/ folder: run a copy in the temporary folder then.
function writableCopy(dir) {
  try {
    accessSync(dir, constants.W_OK);
    return dir;
  } catch {
    const copy = path.join(mkdtempSync(path.join(os.tmpdir(), 'sluice-project-')), path.basename(dir));
    cpSync(dir, copy, { recursive: true });
    return copy;
  }
}
