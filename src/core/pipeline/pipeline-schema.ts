import { z } from 'zod';

/** Block names become table names in SQL blocks, so they are plain identifiers. */
export const blockNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const pipelineNamePattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export const blockRoles = ['loader', 'transformer', 'exporter', 'test'] as const;
export type BlockRole = (typeof blockRoles)[number];

const variableValue = z.union([z.string(), z.number(), z.boolean()]);

export const blockFileSchema = z
  .object({
    name: z.string().regex(blockNamePattern, 'a block name is letters, digits and _ and starts with a letter or _'),
    type: z.enum(blockRoles).optional(),
    description: z.string().optional(),
    file: z.string().min(1).optional(),
    connector: z.string().min(1).optional(),
    connection: z.string().min(1).optional(),
    upstream: z.array(z.string()).default([]),
    settings: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const pipelineFileSchema = z
  .object({
    name: z.string().regex(pipelineNamePattern).optional(),
    description: z.string().optional(),
    variables: z.record(z.string(), variableValue).default({}),
    blocks: z.array(blockFileSchema).min(1, 'a pipeline needs at least one block'),
  })
  .strict();

export type PipelineFile = z.output<typeof pipelineFileSchema>;
export type BlockFile = z.output<typeof blockFileSchema>;
export type VariableValue = z.output<typeof variableValue>;
