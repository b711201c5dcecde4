import { parseFieldSource, sampleFieldSource, type FieldSource, type FieldSourceContext, type SampledFields } from './field-source.ts';
import { suggestFieldMapping, type FieldSuggestion, type SuggestFieldMappingOptions } from './suggest-field-mapping.ts';

/** Suggestions between two sources the user named, with what was sampled from each. */
export interface SourceMapping {
  readonly source: FieldSource;
  readonly target: FieldSource;
  readonly from: SampledFields;
  readonly onto: SampledFields;
  readonly suggestions: readonly FieldSuggestion[];
}

/**
 * Reads both names (`PIPELINE.BLOCK`, `CONNECTION.TABLE`, a file), samples
 * each through the data plane and suggests the mapping: what both
 * `sluice map suggest` and the API's `POST /api/map/suggest` do.
 */
export async function suggestBetweenSources(
  request: { readonly source: string; readonly target: string } & SuggestFieldMappingOptions,
  context: FieldSourceContext,
): Promise<SourceMapping> {
  const source = parseFieldSource(context.project, request.source);
  const target = parseFieldSource(context.project, request.target);
  const from = await sampleFieldSource(source, context);
  const onto = await sampleFieldSource(target, context);
  return { source, target, from, onto, suggestions: suggestFieldMapping(from.columns, onto.columns, request) };
}
