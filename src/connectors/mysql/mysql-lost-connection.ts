import type { Connection } from 'mysql2';

/**
 * Makes a cut connection (a KILL, a restart, a failover) fail the statement
 * in flight instead of hanging or crashing the process.
 *
 * - Errors are heard: the statement that needs the connection reports the
 *   failure; an unheard 'error' event would end the whole process.
 * - When the server closes its side mid-statement, the socket is destroyed
 *   with an error. mysql2 would otherwise wait for the rest of a LOAD DATA
 *   LOCAL upload to drain into a peer that no longer reads, forever.
 */
export function handleLostConnection(conn: Connection): void {
  conn.on('error', () => undefined);
  conn.on('end', () => {
    // `_closing` is mysql2's own mark for an end this process asked for (quit, destroy).
    const internal = conn as unknown as { _closing?: boolean; stream?: { destroy(error?: Error): void } };
    if (internal._closing) return;
    const lost = Object.assign(new Error('the server closed the connection (the session was killed, or the server restarted or timed out)'), {
      code: 'PROTOCOL_CONNECTION_LOST',
      fatal: true,
    });
    internal.stream?.destroy(lost);
  });
}
