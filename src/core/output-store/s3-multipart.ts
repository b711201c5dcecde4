import { SluiceError } from '../errors.ts';
import type { FileSlice } from './s3-file-body.ts';
import { s3Url, xml, type S3Object, type SendS3 } from './s3-request.ts';

/**
 * Uploads a large file as an S3 multipart upload, one part at a time (each a
 * slice of the file, streamed from disk), and returns the
 * object's ETag. A failed upload is aborted, so no orphan parts are billed.
 */
export async function uploadInParts(send: SendS3, object: S3Object, file: FileSlice, partSize: number): Promise<string> {
  const started = xml.parse(await (await send({ method: 'POST', ...object, query: { uploads: '' } })).text()) as {
    InitiateMultipartUploadResult?: { UploadId?: string };
  };
  const uploadId = started.InitiateMultipartUploadResult?.UploadId;
  if (!uploadId) throw new SluiceError('outputs.s3_failed', `POST ${s3Url(object)} (multipart upload) answered no upload id`, { retryable: true });
  try {
    const parts: string[] = [];
    for (let start = 0, number = 1; start < file.size; start += partSize, number++) {
      const part = { file: file.file, start: file.start + start, size: Math.min(partSize, file.size - start) };
      const response = await send({ method: 'PUT', ...object, query: { partNumber: String(number), uploadId }, body: part });
      parts.push(response.headers.get('etag') ?? '');
    }
    const body = `<CompleteMultipartUpload>${parts.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const answer = await (await send({ method: 'POST', ...object, query: { uploadId }, body })).text();
    // S3 may answer 200 and still fail the completion, with an <Error> in the body.
    const done = xml.parse(answer) as { CompleteMultipartUploadResult?: { ETag?: string }; Error?: { Code?: string; Message?: string } };
    if (done.Error || !done.CompleteMultipartUploadResult) {
      const detail = [done.Error?.Code, done.Error?.Message].filter(Boolean).join(': ');
      throw new SluiceError('outputs.s3_failed', `POST ${s3Url(object)} (multipart upload) did not complete${detail ? ` (${detail})` : ''}`, { retryable: true });
    }
    return done.CompleteMultipartUploadResult.ETag ?? '';
  } catch (error) {
    await send({ method: 'DELETE', ...object, query: { uploadId }, accept: [404, 405, 501] }).catch(() => undefined);
    throw error;
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
