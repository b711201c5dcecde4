/** Streaming pipelines: from brokers to tables, each message committed once with its id. */
export { isStreamingFile, loadStreamingPipeline, type StreamingPipeline } from './load-streaming-pipeline.ts';
export { openStreamRun, type OpenedStreamRun } from './open-stream-run.ts';
export { runStream, type BatchReport, type CommittedTotals, type StreamRun } from './run-stream.ts';
export { HeartbeatWriter, heartbeatFile, readHeartbeat, readHeartbeats, type StreamHeartbeat } from './stream-heartbeat.ts';
export type { StreamMessage, StreamSource } from './stream-source.ts';
export { DeadLetterQueue, type DeadLetterEntry, type DeadLetterSelection, type ReplayResult } from './dead-letter-queue.ts';
export { StreamMetricsRecorder } from './stream-metrics-recorder.ts';
export { readStreamOverview, type StreamDisplayState, type StreamOverview } from './stream-overview.ts';
export { IngestEndpoints, IngestRefusal, type IngestEndpoint, type IngestOutcome, type IngestRecord, type RejectedRecord } from './sources/ingest-endpoints.ts';
export { isServedOverHttp } from './open-stream-source.ts';
export { IngestBodyError, splitIngestBody } from './split-ingest-body.ts';
