/**
 * Where a connector keeps the rows it rejected while reading: a table beside
 * the block's output, which `sluice preview --rejects` and the UI show.
 */
export function rejectsLocation(output: string): string {
  return output.replace(/\.parquet$/, '.rejects.parquet');
}
