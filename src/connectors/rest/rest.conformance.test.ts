import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runConnectorConformance } from '../testing/connector-conformance.ts';
import { restConnector } from './index.ts';

const secret = 'Api-S3cret-key-77';

/** Pages the local API answers, by path. */
const pages: Record<string, (res: ServerResponse, url: URL) => void> = {
  '/typed': (res) =>
    send(res, 'application/json', '[{"id": 1, "big": 9007199254740993, "flag": true, "name": "naïve 🎉 \\"q\\"", "note": null, "doc": {"a": [1, "x"]}},' +
      ' {"id": 2, "big": -9223372036854775808, "flag": false, "name": "we\\"ird \'name", "note": "n", "doc": {"a": []}}]'),
  '/login': (res) => send(res, 'text/html; charset=utf-8', '<!DOCTYPE html><html><body><form>Sign in</form></body></html>'),
  '/disguised': (res) => send(res, 'application/json', '<html><body>Session expired</body></html>'),
  '/truncated': (res) => send(res, 'application/json', '{"data": [{"id": 1}, {"id": 2'),
  '/gap': (res, url) => {
    const cursor = url.searchParams.get('after');
    if (!cursor) return send(res, 'application/json', '{"data": [{"id": 1}], "next": "c2"}');
    if (cursor === 'c2') return send(res, 'application/json', '{"data": [], "next": "c3"}');
    send(res, 'application/json', '{"data": [{"id": 3}], "next": null}');
  },
};

function send(res: ServerResponse, type: string, body: string): void {
  res.writeHead(200, { 'content-type': type });
  res.end(body);
}

let server: Server | undefined;

runConnectorConformance({
  connector: restConnector,
  source: {
    async open() {
      server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const page = pages[url.pathname];
        if (page) page(res, url);
        else send(res, 'application/json', '{"error": "no such path"}');
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const settings = restConnector.connectionSchema.parse({ base_url: base, allow_private: true, retries: 0, auth: { api_key: { name: 'key', value: secret, in: 'query' } } });
      const connection = await restConnector.connect(settings, { name: 'conformance_rest', projectRoot: '', warehousePath: '' });
      return {
        connection,
        async close() {
          server!.closeAllConnections();
          await new Promise((resolve) => server!.close(resolve));
        },
      };
    },
    typed: {
      settings: { path: 'typed' },
      expect: {
        big: ['9007199254740993', '-9223372036854775808'],
        flag: ['true', 'false'],
        name: ['naïve 🎉 "q"', `we"ird 'name`],
        note: [null, 'n'],
        doc: ['{"a":[1,"x"]}', '{"a":[]}'],
      },
    },
    badInputs: [
      { what: 'a 200 answer with an HTML login page', settings: { path: 'login' }, code: 'rest.unexpected_content', mentions: ["'conformance_rest'", '/login', 'HTML'], secret },
      { what: 'HTML labelled as JSON', settings: { path: 'disguised' }, code: 'rest.unexpected_content', mentions: ["'conformance_rest'", '/disguised'], secret },
      { what: 'truncated JSON', settings: { path: 'truncated', record_path: 'data' }, code: 'rest.invalid_json', mentions: ["'conformance_rest'", '/truncated', 'truncated'], secret },
      {
        what: 'an empty page in the middle of cursor pagination',
        settings: { path: 'gap', record_path: 'data', pagination: { type: 'cursor', param: 'after', cursor_path: 'next' } },
        code: 'rest.empty_page',
        mentions: ["'conformance_rest'", '/gap', 'page 2'],
        secret,
      },
      {
        what: 'an unreachable host',
        connection: { base_url: `http://127.0.0.1:2/api?token=${secret}`, allow_private: true, retries: 0, timeout: 2000 },
        settings: { path: 'items' },
        code: 'rest.request_failed',
        mentions: ["'conformance_rest'", '127.0.0.1:2'],
        secret,
      },
    ],
  },
});
