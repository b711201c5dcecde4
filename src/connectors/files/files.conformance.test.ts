import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runConnectorConformance } from '../testing/connector-conformance.ts';
import { fileConnector } from './index.ts';

const typedLines = [
  '{"id": 1, "big": 9007199254740993, "flag": true, "name": "naïve 🎉 \\"q\\"", "note": null, "doc": {"a": [1, "x"]}}',
  '{"id": 2, "big": -9223372036854775808, "flag": false, "name": "we\\"ird \'name", "note": "n", "doc": {"a": []}}',
];

runConnectorConformance({
  connector: fileConnector,
  source: {
    async open({ dir }) {
      const put = (name: string, text: string): void => {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), text);
      };
      put('in/typed.jsonl', `${typedLines.join('\n')}\n`);
      put('in/truncated.json', '[{"id": 1}, {"id": 2');
      put('in/page.json', '<!DOCTYPE html><html><body>Sign in</body></html>');
      put('in/bad_row.csv', 'id,amount\n1,2.50\n2,lots\n');
      const connection = await fileConnector.connect({}, { name: 'file', projectRoot: dir, warehousePath: '' });
      return { connection, close: () => connection.close() };
    },
    typed: {
      settings: { path: 'in/typed.jsonl' },
      expect: {
        big: ['9007199254740993', '-9223372036854775808'],
        flag: ['true', 'false'],
        name: ['naïve 🎉 "q"', `we"ird 'name`],
        note: [null, 'n'],
      },
    },
    badInputs: [
      { what: 'a missing file', settings: { path: 'in/nowhere.csv' }, code: 'file.read_failed', mentions: ['nowhere.csv'] },
      { what: 'truncated JSON', settings: { path: 'in/truncated.json' }, code: 'file.read_failed', mentions: ['truncated.json'] },
      { what: 'an HTML page saved as JSON', settings: { path: 'in/page.json' }, code: 'file.read_failed', mentions: ['page.json'] },
      { what: 'a CSV value that does not fit its column', settings: { path: 'in/bad_row.csv', columns: { amount: 'DECIMAL(10,2)' } }, code: 'file.bad_row', mentions: ['lots'] },
    ],
  },
});
