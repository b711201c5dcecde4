// The package entry for Node.js programs (`import { openProject } from 'sluice'`).
// The loaders must be registered before any TypeScript source is read, and a
// static `export * from` would read it first, so the API is imported after them
// and re-exported by name; a test checks this list against src/index.ts.
import './register-loaders.js';

export const {
  openProject,
  defineLoader,
  defineTransformer,
  defineExporter,
  defineTest,
  defineSensor,
  SluiceError,
  ConfigError,
  ConnectorError,
  dateFormats,
  parseDates,
  parsePhones,
  parseUsStates,
  parseCountries,
} = await import('../src/index.ts');
