import path from 'node:path';
import { buildProjectDocsSite } from '../../core/docs-site/build-docs-site.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { createEngine } from '../../engine/create-engine.ts';
import type { Output } from '../output.ts';

/**
 * `sluice docs build [--out DIR]`: the project's documentation as a static
 * site (default `.sluice/docs-site`), readable straight from the folder.
 */
export async function docsBuildCommand(options: { out?: string }, out: Output): Promise<number> {
  const engine = await createEngine(loadProject(process.cwd()));
  try {
    const dir = path.resolve(options.out ?? path.join(engine.project.stateDir, 'docs-site'));
    const session = await (await engine.dataPlane()).openSession();
    try {
      const site = await buildProjectDocsSite({ project: engine.project, connectors: engine.connectors, session, store: engine.store }, dir);
      out.line(`wrote ${site.pages} pages to ${dir}: open ${path.join(dir, 'index.html')}`);
    } finally {
      await session.close();
    }
    return 0;
  } finally {
    await engine.close();
  }
}
