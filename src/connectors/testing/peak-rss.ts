/**
 * Runs `work` while sampling the process's resident memory, and reports how
 * far it rose above where it started. Native memory (the data plane, driver
 * buffers) counts too, which is the point: a reader that held a table would show.
 */
export async function peakRssDuring<T>(work: () => Promise<T>, everyMs = 20): Promise<{ result: T; peakGrowth: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakGrowth: peak - start };
  } finally {
    clearInterval(timer);
  }
}
