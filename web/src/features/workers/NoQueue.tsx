/** Said instead of a fleet when sluice.yaml sets no queue: block runs run in the process that runs the run. */
export function NoQueue() {
  return (
    <section className="workers-no-queue" data-testid="workers-no-queue">
      <p>
        <strong>No queue is configured</strong>, so there are no workers: block runs run in the process that runs the run
        (<code>sluice run</code>, <code>sluice scheduler</code> or <code>sluice serve</code>).
      </p>
      <p>To spread block runs over worker processes, set PostgreSQL metadata and a Redis queue in <code>sluice.yaml</code>:</p>
      <pre className="small">{`metadata: { type: postgres, url: '\${SLUICE_METADATA_URL}', schema: sluice }
queue: { type: redis, url: '\${REDIS_URL}', prefix: sluice }`}</pre>
      <p>
        then start workers with <code>sluice worker --concurrency 4</code> on any machine with the project. See docs/scale-out.md.
      </p>
    </section>
  );
}
