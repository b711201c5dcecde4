import type { AlertEventKind, AlertResult } from '@sluice/api';

/** The events an alert channel can be told about, in the form's order: keyed by the server's own kinds, so a new one cannot be left out. */
const eventOrder: Record<AlertEventKind, number> = { failure: 0, success: 1, deadline: 2, anomaly: 3, drift: 4 };
export const alertEvents = Object.keys(eventOrder) as AlertEventKind[];
export type AlertEventName = AlertEventKind;

/** What a test send answered (the server's AlertResult), or the request's own failure, shown the same way. */
export type TestSendResult = Pick<AlertResult, 'ok' | 'channel'> & { readonly error?: { readonly message: string } | undefined };
