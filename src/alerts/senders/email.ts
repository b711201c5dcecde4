import type { NodemailerError, SMTPTransportOptions } from 'nodemailer';
import { ConnectorError } from '../../core/errors.ts';
import { mask } from '../../core/project/secrets.ts';
import type { EmailChannel } from '../../core/pipeline/alert-schema.ts';
import type { AlertSender, SendContext } from './alert-sender.ts';
import { failureToReach } from './post-json.ts';

/**
 * A plain-text e-mail over SMTP. nodemailer loads on the first e-mail sent,
 * and each alert opens its own connection: alerts are rare, a pool would
 * outlive the run that needed it.
 */
export const emailSender: AlertSender<EmailChannel> = {
  describe: (channel) => `email ${channel.to.join(', ')}`,
  async send(channel, _event, message, context) {
    const { createTransport } = await import('nodemailer');
    const transport = createTransport(smtpOptions(channel, context));
    try {
      await transport.sendMail({
        from: channel.from,
        to: [...channel.to],
        subject: channel.subjectPrefix ? `${channel.subjectPrefix} ${message.title}` : message.title,
        text: message.text,
        signal: context.signal,
      });
    } catch (error) {
      throw toAlertError(error, context);
    } finally {
      transport.close();
    }
  },
};

function smtpOptions(channel: EmailChannel, { timeoutMs }: SendContext): SMTPTransportOptions {
  const { host, port, user, password, secure } = channel.smtp;
  return {
    host,
    port,
    secure: secure ?? port === 465,
    ...(user !== undefined && password !== undefined ? { auth: { user, pass: password } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  };
}

/** Failures that another attempt would meet again, when the server gave no reply code to judge by. */
const permanentCodes = new Set(['EAUTH', 'ENOAUTH', 'EENVELOPE', 'ECONFIG', 'ETLS', 'EREQUIRETLS']);

function toAlertError(error: unknown, context: SendContext): ConnectorError {
  if (context.signal.aborted) return failureToReach(context.label, error, context.signal, context.timeoutMs);
  const failure = error as NodemailerError;
  const message = failure instanceof Error ? failure.message : String(error);
  const code = failure.code ?? '';
  if (code === 'ETIMEDOUT') {
    return new ConnectorError('alert.timeout', `alert to ${context.label} got no answer within ${context.timeoutMs} ms`, {
      retryable: true,
    });
  }
  const retryable = failure.permanent !== undefined ? !failure.permanent : !permanentCodes.has(code);
  return new ConnectorError('alert.smtp_failed', mask(`alert to ${context.label} failed: ${code ? `${code} ` : ''}${message}`), {
    retryable,
  });
}
