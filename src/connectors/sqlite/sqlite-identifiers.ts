import { standardIdentifiers } from '../../core/connectors/identifier-rules.ts';

/** SQLite's naming: standard quoting, column names compared without regard to ASCII case, any length. */
export const sqliteIdentifiers = standardIdentifiers({ unquotedCase: 'preserve', caseSensitive: false, maxLength: undefined });
