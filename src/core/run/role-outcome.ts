import { assertNever, SluiceError } from '../errors.ts';
import type { Block } from '../pipeline/pipeline.ts';
import type { BlockRole } from '../pipeline/pipeline-schema.ts';
import type { BlockResult } from './block-runner.ts';

/** What a block run came to once its role has judged the runner's result. */
export interface RoleOutcome {
  readonly result: BlockResult;
  /** For a sensor: whether its condition holds. */
  readonly ready?: boolean | undefined;
  /** Set when the role turns a result into a failure (a test's failing rows); the result's output shows why. */
  readonly failure?: SluiceError | undefined;
}

/**
 * The one place that decides what a role means, whatever the block's
 * language: a runner only runs code and stores what it returns.
 * - a test fails when it returns any row (its output holds the failing rows);
 * - a sensor is ready when it says so (true), or when its query returns a row;
 * - loaders, transformers and exporters succeed with what they returned.
 * The role the block's code declares (`defineTest`) counts when the pipeline
 * file leaves the block a plain transformer.
 */
export function decideRoleOutcome(block: Block, result: BlockResult, pipeline: string): RoleOutcome {
  const role = roleOf(block, result);
  switch (role) {
    case 'test': {
      const rows = result.output?.rows ?? 0;
      if (rows === 0) return { result: { ...result, summary: result.summary ?? 'test passed: no failing rows' } };
      const failure = new SluiceError('block.test_failed', `test found ${rows} failing row(s); preview them with 'sluice preview ${pipeline} ${block.name}'`, {
        location: { file: 'file' in block ? block.file : block.declaredAt.file, block: block.name },
      });
      return { result, failure };
    }
    case 'sensor':
      return { result, ready: result.ready ?? (result.output?.rows ?? 0) > 0 };
    case 'loader':
    case 'transformer':
    case 'exporter':
      return { result };
    default:
      return assertNever(role);
  }
}

/** The pipeline file's role, unless it left the default and the code declared another. */
export function roleOf(block: Block, result?: Pick<BlockResult, 'role'>): BlockRole {
  return block.role === 'transformer' && result?.role ? result.role : block.role;
}
