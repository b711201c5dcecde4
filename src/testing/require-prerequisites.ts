import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { prerequisiteChecks, type MissingPrerequisite, type PrerequisiteName } from './prerequisite-checks.ts';

/**
 * True when a missing prerequisite must fail the tests instead of skipping
 * them: in CI (CI=true), so CI still proves everything, or when
 * SLUICE_REQUIRE_ALL=1 asks for it on a developer's machine.
 */
export function prerequisitesRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = (env.CI ?? '').trim().toLowerCase();
  return (ci !== '' && ci !== 'false' && ci !== '0') || env.SLUICE_REQUIRE_ALL === '1';
}

/** The one loud line a missing prerequisite gets, whatever the number of tests it skips. */
export function describeMissing(missing: MissingPrerequisite, files?: number): string {
  const required = prerequisitesRequired();
  const effect = files === undefined ? '' : `; ${files} test file${files === 1 ? '' : 's'} ${required ? 'failed' : 'skipped'}`;
  const verb = required ? 'MISSING (required: CI or SLUICE_REQUIRE_ALL=1 is set)' : 'missing, tests that need it are SKIPPED';
  return `⚠ prerequisite ${missing.name} ${verb}: ${missing.why}${effect}. Provide it with: ${missing.command}`;
}

/**
 * Checks what a test file needs from the machine. Resolves to `false` when
 * all of it is there, or else to a skip reason for `describe(..., { skip })`
 * and for the file's root hooks to return early on.
 *
 * A missing prerequisite is reported once: under `npm test` the runner
 * collects the reports (SLUICE_TEST_SKIP_LOG) and prints one line per
 * prerequisite at the end; a file run on its own prints the line itself.
 * When prerequisites are required, each missing one also adds a failing test.
 *
 * @example
 * const skip = await requirePrerequisites('postgres', 'postgres-logical-replication');
 * describe('change data capture', { skip }, () => { ... });
 */
export async function requirePrerequisites(...names: PrerequisiteName[]): Promise<string | false> {
  const found = await Promise.all(names.map((name) => prerequisiteChecks[name]()));
  const missing = found.filter((m): m is MissingPrerequisite => m !== undefined);
  if (!missing.length) return false;
  const log = process.env.SLUICE_TEST_SKIP_LOG;
  const file = path.relative(process.cwd(), process.argv[1] ?? '');
  for (const m of missing) {
    if (log) appendFileSync(log, `${JSON.stringify({ ...m, file })}\n`);
    else process.stderr.write(`\n${describeMissing(m)}\n\n`);
    if (prerequisitesRequired()) {
      test(`prerequisite ${m.name} is available`, () => {
        throw new Error(describeMissing(m));
      });
    }
  }
  return `needs ${missing.map((m) => m.name).join(', ')}, missing on this machine`;
}
