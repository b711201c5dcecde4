import { z } from 'zod';

/**
 * A setting that names a file or folder of the project (absolute paths are
 * still accepted). Its JSON Schema says `format: project-path`, which the
 * web UI answers with a file picker beside the field.
 */
export function projectPathSetting(): z.ZodString {
  return z.string().min(1).meta({ format: 'project-path' });
}
