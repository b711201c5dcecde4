import type { MysqlConnectionSettings } from '../connectors/mysql/mysql-config.ts';
import { registerSecret } from '../core/project/secrets.ts';
import type { CdcDestination } from './cdc-destination.ts';
import { typeOids, type CdcValue } from './cdc-values.ts';
import { createSqlDestination, type CdcDialect } from './sql-destination.ts';
import type { SourceColumn } from './source-tables.ts';

function mysqlType(c: SourceColumn, isKey: boolean): string {
  const t = c.type;
  if (t === 'smallint') return 'SMALLINT';
  if (t === 'integer') return 'INT';
  if (t === 'bigint') return 'BIGINT';
  if (t === 'real') return 'FLOAT';
  if (t === 'double precision') return 'DOUBLE';
  if (t === 'boolean') return 'BOOLEAN';
  if (t === 'date') return 'DATE';
  if (t === 'uuid') return 'CHAR(36)';
  if (t === 'json' || t === 'jsonb') return 'JSON';
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(t);
  if (numeric) return Number(numeric[1]) <= 65 && Number(numeric[2]) <= 30 ? `DECIMAL(${numeric[1]},${numeric[2]})` : 'LONGTEXT';
  if (t === 'numeric') return isKey ? 'VARCHAR(100)' : 'LONGTEXT'; // unconstrained numeric may exceed DECIMAL(65,30); its text is exact
  const precision = /^timestamp(?:\((\d)\))? with(?:out)? time zone$/.exec(t);
  if (precision) return `DATETIME(${precision[1] ?? 6})`;
  const varchar = /^character varying\((\d+)\)$/.exec(t);
  if (varchar && Number(varchar[1]) <= 16383) return `VARCHAR(${varchar[1]})`;
  // InnoDB keys hold at most 3072 bytes: 768 four-byte characters.
  return isKey ? 'VARCHAR(768)' : 'LONGTEXT';
}

export const mysqlDialect: CdcDialect = {
  kind: 'mysql',
  quote: (name) => `\`${name.replaceAll('`', '``')}\``,
  placeholder: () => '?',
  columnType: mysqlType,
  bind(v: CdcValue, c: SourceColumn) {
    if (typeof v === 'bigint') return v.toString();
    // DATETIME has no zone: a timestamp with time zone lands as UTC, which is how the source session sends it.
    if (typeof v === 'string' && (c.typeOid === typeOids.timestamptz || c.typeOid === typeOids.timestamp)) return v.replace(/\+00(:00)?$/, '');
    return v;
  },
  maxParams: 30_000,
  primaryKey: true,
  transactionalDdl: false,
  stateTableDdl: (t) =>
    `CREATE TABLE IF NOT EXISTS ${t} (pipeline VARCHAR(255) NOT NULL, stream VARCHAR(255) NOT NULL, state JSON NOT NULL, updated_at DATETIME(6) NOT NULL, PRIMARY KEY (pipeline, stream)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  now: 'UTC_TIMESTAMP(6)',
  jsonText: (c) => `CAST(\`${c}\` AS CHAR)`,
  isoText: (c) => `DATE_FORMAT(\`${c}\`, '%Y-%m-%dT%H:%i:%s.%fZ')`,
};

export async function openMysqlDestination(settings: MysqlConnectionSettings, name: string): Promise<CdcDestination> {
  const mysql = await import('mysql2/promise');
  if (settings.password) registerSecret(settings.password);
  const common = { supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, timezone: 'Z', connectTimeout: settings.connect_timeout * 1000 } as const;
  const connection =
    settings.url !== undefined
      ? await mysql.createConnection({ uri: settings.url, ...(settings.password ? { password: settings.password } : {}), ...common })
      : await mysql.createConnection({ host: settings.host, port: settings.port, user: settings.user, password: settings.password, database: settings.database, ...common });
  connection.on('error', () => undefined);
  await connection.query("SET time_zone = '+00:00', sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')");
  return createSqlDestination(`connection '${name}' (mysql)`, mysqlDialect, {
    run: async (sql, params) => {
      const [rows] = await connection.query(sql, params as unknown[]);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    close: () => connection.end(),
  });
}
