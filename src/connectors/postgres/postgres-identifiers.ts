import { standardIdentifiers } from '../../core/connectors/identifier-rules.ts';

/**
 * PostgreSQL's naming: unquoted names fold to lower case, quoted names keep
 * their case and are distinct by it, and names past 63 bytes (NAMEDATALEN - 1)
 * are cut short without an error, so two long names can become one.
 */
export const postgresIdentifiers = standardIdentifiers({ unquotedCase: 'lower', caseSensitive: true, maxLength: 63 });
