/**
 * Alerts: tell people when a run fails, succeeds (opt-in) or misses its deadline.
 * @example
 * import { createAlertEvent, sendAlerts } from '../alerts/index.ts';
 * const event = createAlertEvent({ kind: 'failure', run, blocks, baseUrl });
 * const results = await sendAlerts(pipeline.alerts, event, { signal });
 */
export { alertEventKinds, alertSchema, alertsSchema } from '../core/pipeline/alert-schema.ts';
export type {
  Alert,
  AlertChannel,
  AlertChannelKind,
  AlertEventKind,
  AlertFile,
  EmailChannel,
  SlackChannel,
  SmtpSettings,
  WebhookChannel,
} from '../core/pipeline/alert-schema.ts';
export { alertKindForStatus, createAlertEvent, createStreamFailureEvent, formatAlert, runLink } from './alert-event.ts';
export type { AlertEvent, AlertMessage } from './alert-event.ts';
export { sendAlerts } from './send-alerts.ts';
export type { AlertResult, SendAlertsOptions } from './send-alerts.ts';
