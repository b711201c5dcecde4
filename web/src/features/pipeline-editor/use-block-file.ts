import { useCallback, useEffect, useState } from 'react';
import { call } from '../../api/client.ts';

export interface BlockFile {
  readonly content: string | undefined;
  readonly language: string;
  readonly dirty: boolean;
  readonly error: Error | undefined;
  readonly saving: boolean;
  readonly setContent: (content: string) => void;
  /** Writes the file when it changed; resolves once it is on disk. */
  readonly save: () => Promise<void>;
}

/** A block's file, read and written through the file API. */
export function useBlockFile(path: string | undefined): BlockFile {
  const [saved, setSaved] = useState<string>();
  const [content, setContentState] = useState<string>();
  const [language, setLanguage] = useState('text');
  const [error, setError] = useState<Error>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    setSaved(undefined);
    setContentState(undefined);
    setError(undefined);
    if (!path) return;
    const controller = new AbortController();
    call('GET /api/files', { query: { path }, signal: controller.signal }).then(
      (file) => {
        setSaved(file.content);
        setContentState(file.content);
        setLanguage(file.language ?? (path.endsWith('.sql') ? 'sql' : path.endsWith('.ts') ? 'typescript' : 'text'));
      },
      (failure: Error) => !controller.signal.aborted && setError(failure),
    );
    return () => controller.abort();
  }, [path]);

  const save = useCallback(async () => {
    if (!path || content === undefined || content === saved) return;
    setSaving(true);
    try {
      await call('PUT /api/files', { body: { path, content } });
      setSaved(content);
      setError(undefined);
    } catch (failure) {
      setError(failure as Error);
      throw failure;
    } finally {
      setSaving(false);
    }
  }, [path, content, saved]);

  return { content, language, dirty: content !== undefined && content !== saved, error, saving, setContent: setContentState, save };
}
