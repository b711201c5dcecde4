import type { AlertChannelView } from '../../../../src/server/alert-channels.ts';

/** The events an alert channel can be told about, as the pipeline schema names them. */
export const alertEvents = ['failure', 'success', 'deadline', 'anomaly', 'drift'] as const;
export type AlertEventName = (typeof alertEvents)[number];

/** A saved channel as the API shows it (the server's own type): where it goes, never a secret value. */
export type { AlertChannelView } from '../../../../src/server/alert-channels.ts';

export interface AlertsOverview {
  readonly project: readonly AlertChannelView[];
  readonly pipelines: readonly { readonly name: string; readonly channels: readonly AlertChannelView[]; readonly error?: string }[];
}

/** What a test send answered. */
export interface TestSendResult {
  readonly ok: boolean;
  readonly channel: string;
  readonly error?: { readonly message: string };
}
