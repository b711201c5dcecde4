/** How the user looks at an output: sorted by one column, filtered per column. The server does both. */
export interface OutputView {
  readonly sort?: { readonly column: string; readonly order: 'asc' | 'desc' } | undefined;
  readonly filters: Readonly<Record<string, { readonly op: 'contains' | 'equals'; readonly value: string }>>;
}

export const pageSizes = [50, 100, 500] as const;

/** The next sort when a column's header is clicked: ascending, then descending, then the stored order. */
export function nextSort(view: OutputView, column: string): OutputView['sort'] {
  if (view.sort?.column !== column) return { column, order: 'asc' };
  return view.sort.order === 'asc' ? { column, order: 'desc' } : undefined;
}

/** The view as the output routes' query parameters; empty filters are left out. */
export function viewQuery(view: OutputView): { sort?: string; order?: 'asc' | 'desc'; filters?: string } {
  const filters = Object.entries(view.filters)
    .filter(([, f]) => f.value !== '')
    .map(([column, f]) => ({ column, op: f.op, value: f.value }));
  return { sort: view.sort?.column, order: view.sort?.order, filters: filters.length ? JSON.stringify(filters) : undefined };
}
