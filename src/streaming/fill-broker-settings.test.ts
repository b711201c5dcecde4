import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mask } from '../core/project/secrets.ts';
import { fillBrokerSettings } from './fill-broker-settings.ts';

describe('fillBrokerSettings', () => {
  it('fills ${NAME} and ${NAME:-default} from the environment and masks what it read', () => {
    const env = { RABBIT_URL: 'amqp://shop:s3cret-rabbit@mq.internal:5672' };
    const filled = fillBrokerSettings({ type: 'rabbitmq', url: '${RABBIT_URL}', queue: '${QUEUE:-orders}' }, 'the source', env);
    assert.deepEqual(filled, { type: 'rabbitmq', url: 'amqp://shop:s3cret-rabbit@mq.internal:5672', queue: 'orders' });
    assert.equal(mask('could not connect to amqp://shop:s3cret-rabbit@mq.internal:5672'), 'could not connect to ***');
  });

  it('masks a password written in the url itself, for every server of a list', () => {
    fillBrokerSettings({ url: 'nats://app:first-pass@a:4222, nats://app:second%40pass@b:4222' }, 'the sink', {});
    assert.equal(mask('auth failed with first-pass and second@pass'), 'auth failed with *** and ***');
  });

  it('names the missing variable and the setting that needs it', () => {
    assert.throws(() => fillBrokerSettings({ url: '${NO_SUCH_BROKER_URL}' }, 'the source of pipeline orders_live', {}), {
      code: 'stream.env_missing',
      message: 'the source of pipeline orders_live needs the environment variable NO_SUCH_BROKER_URL, which is not set',
    });
  });
});
