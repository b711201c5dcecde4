// Lets a project's TypeScript blocks `import ... from 'sluice'` without
// installing the package into the project: the bare name maps to this copy.
const entry = new URL('../index.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'sluice') return { url: entry, shortCircuit: true, format: 'module' };
  return nextResolve(specifier, context);
}
