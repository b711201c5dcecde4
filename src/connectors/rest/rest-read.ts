import type { XMLParser } from 'fast-xml-parser';
import type { ConnectorContext, ReadResult } from '../../core/connectors/connector.ts';
import type { Row } from '../../core/data-plane/data-plane.ts';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import { mask } from '../../core/project/secrets.ts';
import { detectFormat, parseJson, parseXml, recordsAt, type PageLabel } from './rest-body.ts';
import type { RestClient } from './rest-client.ts';
import type { RestReadSettings } from './rest-config.ts';
import { createPager } from './rest-pagination.ts';
import { createRowShaper } from './rest-rows.ts';
import { buildUrl, describeEndpoint } from './rest-url.ts';

export interface RestEndpoint {
  readonly connection: string;
  readonly baseUrl: string;
  readonly client: RestClient;
  readonly XmlParser: typeof XMLParser;
}

/**
 * Reads an endpoint page by page into the data plane. Each page is parsed
 * (JSON or XML, decided per page), its records become one batch of rows, and
 * the batch is handed on before the next page is requested, so memory holds
 * one page at a time. Pagination stops at an empty page, when the pager finds
 * no next page, or at `max_pages`; an empty page that still names a next page
 * (a cursor or link) is an error.
 */
export async function readRest(endpoint: RestEndpoint, settings: RestReadSettings, location: string, context: ConnectorContext): Promise<ReadResult> {
  const start = buildUrl(endpoint.baseUrl, settings.path, settings.params);
  const pager = createPager(start, settings.pagination, endpoint.client.describe);
  const shaper = createRowShaper(new Set(Object.keys(settings.columns ?? {})));
  let pages = 0;
  let records = 0;

  async function* batches(): AsyncGenerator<Row[]> {
    for (let url: URL | undefined = pager.first(); url; ) {
      if (pages === settings.max_pages) {
        context.logger.warn(`stopped at max_pages (${settings.max_pages}) of ${describeEndpoint(start)}; more pages may remain`);
        return;
      }
      const page = ++pages;
      const label: PageLabel = { connection: endpoint.connection, request: `GET ${endpoint.client.describe(url)} (page ${page})` };
      const response = await endpoint.client.get(url, page, context.signal, context.logger);
      const format = detectFormat(response.headers.get('content-type'), response.body, settings.format, label);
      const body = format === 'json' ? parseJson(response.body, label) : parseXml(endpoint.XmlParser, response.body, settings.record_path, label);
      const found = recordsAt(body, settings.record_path, format, label);
      if (found.length === 0) {
        // An empty page that still names a next page is a gap, not the end: stopping would drop the rest quietly.
        const next = pager.followsResponse ? pager.next({ url: response.url, headers: response.headers, body, records: 0 }) : undefined;
        if (next) {
          throw new ConnectorError(
            'rest.empty_page',
            `connection '${endpoint.connection}': ${label.request} held no records but points to a next page (${endpoint.client.describe(next)}); nothing was stored, as the pages after it would be lost`,
          );
        }
        return;
      }
      records += found.length;
      context.logger.debug(`${label.request}: ${found.length} record(s) as ${format.toUpperCase()}`);
      yield shaper.shape(found, format, label);
      url = pager.next({ url: response.url, headers: response.headers, body, records: found.length });
    }
  }

  try {
    const output = await context.session.storeRows(batches(), location, settings.columns);
    return {
      output,
      rowsIn: records,
      summary: `read ${records.toLocaleString('en-US')} records from ${describeEndpoint(start)} (${pages} page${pages === 1 ? '' : 's'})`,
    };
  } catch (error) {
    if (context.signal.aborted && !(error instanceof SluiceError && error.code === 'rest.cancelled')) {
      throw new ConnectorError('rest.cancelled', `reading ${describeEndpoint(start)} from '${endpoint.connection}' was cancelled`, { cause: error });
    }
    if (error instanceof SluiceError) {
      if (error.location?.block) throw error;
      throw new ConnectorError(error.code, mask(error.message), { cause: error.cause, retryable: error.retryable, location: { ...error.location, block: context.block } });
    }
    throw new ConnectorError('rest.read_failed', mask(`reading ${describeEndpoint(start)} from '${endpoint.connection}' failed: ${String(error)}`), {
      cause: error,
      location: { block: context.block },
    });
  }
}
