/** Socket errors that mean the database connection is gone, whatever the driver. */
const lostConnectionCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

/**
 * A driver's error text, said in the user's words when the socket broke: a bare
 * `write EPIPE` tells nobody that the connection to the server was lost.
 */
export function lostConnectionText(error: unknown, text: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  return lostConnectionCodes.has(String(code)) ? `the connection to the server was lost (${text})` : text;
}
