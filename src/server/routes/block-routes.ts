import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import type { Document } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { quoteLiteral } from '../../core/sql/quote.ts';
import { isSecretKey } from '../../core/project/secrets.ts';
import { blockNamePattern, blockRoles } from '../../core/pipeline/pipeline-schema.ts';
import { blockTemplates, findBlockTemplate } from '../../workspace/block-templates.ts';
import { editPipeline, pipelineFileOf } from '../../workspace/edit-pipeline.ts';
import { addBlock, blockEntry, removeBlock, renameBlock, updateBlock } from '../../workspace/pipeline-document.ts';
import { renameBlockReferences } from '../../workspace/rename-block-references.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody } from '../http-problem.ts';
import { settingsJsonSchema, type JsonSchema } from '../settings-json-schema.ts';
import type { BlockRole } from '../../core/pipeline/pipeline-schema.ts';
import type { ConnectorCapabilities } from '../../core/connectors/connector.ts';
import { describePipeline } from './pipeline-routes.ts';
import { answer } from '../route-answer.ts';

const blockName = z.string().regex(blockNamePattern, 'a block name is letters, digits and _ and starts with a letter or _');
const upstreamList = z.array(blockName).max(500);
const settingsMap = z.record(z.string(), z.unknown());

const newBlockBody = z
  .object({
    name: blockName,
    template: z.string(),
    role: z.enum(blockRoles).optional(),
    connector: z.string().min(1).optional(),
    connection: z.string().min(1).optional(),
    settings: settingsMap.optional(),
    upstream: upstreamList.default([]),
  })
  .strict();

const blockChangeBody = z
  .object({
    name: blockName.optional(),
    role: z.enum(blockRoles).optional(),
    upstream: upstreamList.optional(),
    settings: settingsMap.optional(),
    connection: z.string().min(1).nullable().optional(),
  })
  .strict();

/** What `POST /api/pipelines/:name/blocks` and `PATCH /api/pipelines/:name/blocks/:block` take. */
export type NewBlockRequest = z.input<typeof newBlockBody>;
export type BlockChangeRequest = z.input<typeof blockChangeBody>;

/** A template for a new block (`GET /api/block-templates`); `extension` is null for a connector block. */
export interface BlockTemplateInfo {
  readonly id: string;
  readonly description: string;
  readonly role: BlockRole;
  readonly extension: '.ts' | '.sql' | null;
}

/** A connector with its settings as JSON Schemas, for forms (`GET /api/connectors`); secret settings of `connection` are `writeOnly`. */
export interface ConnectorInfo {
  readonly kind: string;
  readonly description: string;
  readonly capabilities: ConnectorCapabilities;
  readonly connection: JsonSchema;
  readonly read: JsonSchema;
  readonly write: JsonSchema;
}

/** Templates, connectors, and adding, changing and removing blocks: every change lands in the files. */
export function blockRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/block-templates', (c) =>
    answer(c, 'GET /api/block-templates', { templates: blockTemplates.map((t): BlockTemplateInfo => ({ id: t.id, description: t.description, role: t.role, extension: t.extension ?? null })) }),
  );

  app.get('/connectors', (c) =>
    answer(c, 'GET /api/connectors', {
      connectors: [...deps.connectors.values()].map((connector): ConnectorInfo => ({
        kind: connector.kind,
        description: connector.description,
        capabilities: connector.capabilities,
        connection: markSecrets(settingsJsonSchema(connector.connectionSchema)),
        read: settingsJsonSchema(connector.readSchema),
        write: settingsJsonSchema(connector.writeSchema),
      })),
    }),
  );

  app.post('/pipelines/:name/blocks', async (c) => {
    const body = await parseBody(c, newBlockBody);
    noteAudit(c, { action: 'block.add', target: `${c.req.param('name')}/${body.name}`, detail: { template: body.template } });
    const template = findBlockTemplate(body.template);
    if (!template) throw new ConfigError('block.unknown_template', `no block template '${body.template}' (templates: ${blockTemplates.map((t) => t.id).join(', ')})`);
    const pipeline = editPipeline(deps.root, c.req.param('name'), (doc) => {
      if (template.extension && template.source) {
        const file = `blocks/${body.name}${template.extension}`;
        addBlock(doc, {
          name: body.name,
          role: body.role ?? template.role,
          file,
          connection: template.extension === '.sql' ? body.connection : undefined,
          upstream: body.upstream,
          settings: template.extension === '.ts' && body.settings && Object.keys(body.settings).length ? body.settings : undefined,
        });
        return { write: [{ path: file, content: template.source(body.name, body.upstream) }] };
      }
      if (!body.connector && !body.connection) throw new ConfigError('block.no_connector', 'a connector block needs a connector or a connection');
      addBlock(doc, {
        name: body.name,
        role: body.role ?? (body.upstream.length ? 'exporter' : 'loader'),
        connector: body.connector,
        connection: body.connection,
        upstream: body.upstream,
        settings: body.settings ?? {},
      });
      return undefined;
    });
    return answer(c, 'POST /api/pipelines/:name/blocks', { pipeline: describePipeline(deps.root, pipeline) }, 201);
  });

  app.patch('/pipelines/:name/blocks/:block', async (c) => {
    const body = await parseBody(c, blockChangeBody);
    const current = c.req.param('block');
    noteAudit(c, { action: 'block.update', target: `${c.req.param('name')}/${current}`, detail: { ...(body.name && body.name !== current ? { renamedTo: body.name } : {}) } });
    const references = body.name && body.name !== current ? await planRename(deps, c.req.param('name'), current, body.name) : [];
    const pipeline = editPipeline(deps.root, c.req.param('name'), (doc) => {
      const entry = blockEntry(doc, current);
      const fields: Record<string, unknown> = {};
      if (body.role) {
        fields.role = body.role;
        // The old spelling goes when the role is set, so the block never holds both.
        fields.type = undefined;
      }
      if (body.upstream) fields.upstream = body.upstream;
      if (body.settings) fields.settings = body.settings;
      if (body.connection !== undefined) fields.connection = body.connection ?? undefined;
      updateBlock(doc, current, fields);
      if (body.name && body.name !== current) {
        renameBlock(doc, current, body.name);
        const file = typeof entry.file === 'string' ? entry.file : undefined;
        // A file named after its block follows the block's name; a file named otherwise stays.
        if (file && path.basename(file, path.extname(file)) === current && !usedElsewhere(deps.root, c.req.param('name'), file, doc, body.name)) {
          const renamed = path.posix.join(path.posix.dirname(file), `${body.name}${path.extname(file)}`);
          updateBlock(doc, body.name, { file: renamed });
          return { rename: [{ from: file, to: renamed }], update: references };
        }
      }
      return { update: references };
    });
    return answer(c, 'PATCH /api/pipelines/:name/blocks/:block', { pipeline: describePipeline(deps.root, pipeline) });
  });

  app.delete('/pipelines/:name/blocks/:block', (c) => {
    const name = c.req.param('name');
    const block = c.req.param('block');
    noteAudit(c, { action: 'block.remove', target: `${name}/${block}` });
    const pipeline = editPipeline(deps.root, name, (doc) => {
      const entry = blockEntry(doc, block);
      removeBlock(doc, block);
      const file = typeof entry.file === 'string' ? entry.file : undefined;
      return file && !usedElsewhere(deps.root, name, file, doc) ? { remove: [file] } : undefined;
    });
    return answer(c, 'DELETE /api/pipelines/:name/blocks/:block', { pipeline: describePipeline(deps.root, pipeline) });
  });

  return app;
}

/**
 * The block files to rewrite so they read the block by its new name; a use
 * that cannot be rewritten refuses the rename, naming each file and line.
 */
async function planRename(deps: AppDependencies, pipelineName: string, from: string, to: string): Promise<{ path: string; content: string }[]> {
  const parse = (sql: string) =>
    deps.withSession(async (session) => {
      const [row] = await session.query(`SELECT json_serialize_sql(${quoteLiteral(sql)})::VARCHAR AS tree`);
      return JSON.parse(String(row?.tree ?? '{}')) as unknown;
    });
  const plan = await renameBlockReferences(deps.root, loadPipeline(deps.root, pipelineName), from, to, parse);
  const [first] = plan.blockers;
  if (first) {
    const where = plan.blockers.map((b) => `${b.file}:${b.line}`).join(', ');
    throw new ConfigError('block.rename_refused', `block '${from}' is not renamed: it is read by name at ${where} (${first.reason}); change those uses to '${to}' first, then rename`, {
      location: { file: first.file, line: first.line },
    });
  }
  return plan.write;
}

/** Whether a block other than `except` (in this pipeline or another) names `file`, so it must stay where it is. */
function usedElsewhere(root: string, pipeline: string, file: string, doc: Document, except?: string): boolean {
  const blocks = ((doc.toJS() as { blocks?: { name?: string; file?: string }[] } | null)?.blocks ?? []);
  if (blocks.some((b) => b.file === file && b.name !== except)) return true;
  return listPipelines(root)
    .filter((other) => other !== pipeline)
    .some((other) => readFileSync(pipelineFileOf(root, other), 'utf8').includes(file));
}

/**
 * Marks the settings a form must treat as secrets (`writeOnly`): secret-named
 * keys, and `url`, which usually carries a password. The UI sends them in
 * `secrets`, so they land in .sluice/secrets.env, never in connections.yaml.
 */
function markSecrets(schema: JsonSchema): JsonSchema {
  const properties = schema.properties;
  if (!properties) return schema;
  const marked = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, isSecretKey(key) || key === 'url' ? { ...value, writeOnly: true } : value]));
  return { ...schema, properties: marked };
}
