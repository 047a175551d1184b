import rhea from 'rhea';
import type { Message as AmqpMessage } from 'rhea';
import type { StoredMessage } from './service-bus-namespace.js';

const messageStateCode = { active: 0, deferred: 1, scheduled: 2 } as const;

/**
 * The message as a receiver gets it: the sender's sections plus the broker annotations the SDK
 * reads (`x-opt-sequence-number`, `x-opt-enqueued-time`, `x-opt-locked-until`, `x-opt-message-state`)
 * and the header's delivery count.
 */
export function toWireMessage(message: StoredMessage): AmqpMessage {
  const { delivery_annotations: _dropped, ...sections } = message.amqp;
  const annotations: Record<string, unknown> = {
    ...message.amqp.message_annotations,
    'x-opt-sequence-number': rhea.types.wrap_long(message.sequenceNumber),
    'x-opt-enqueued-time': new Date(message.enqueuedAtMs),
    'x-opt-message-state': rhea.types.wrap_int(messageStateCode[message.state]),
  };
  if (message.lock !== undefined) annotations['x-opt-locked-until'] = new Date(message.lock.lockedUntilMs);
  if (message.scheduledEnqueueAtMs !== undefined) {
    annotations['x-opt-scheduled-enqueue-time'] = new Date(message.scheduledEnqueueAtMs);
  }
  return {
    ...sections,
    message_id: message.messageId,
    delivery_count: message.deliveryCount,
    message_annotations: annotations,
  };
}

/**
 * Lock tokens travel as delivery tags in .NET Guid byte order (first three groups reversed); the
 * SDK reorders them back. On `$management` they travel as plain AMQP uuids.
 */
export function lockTokenToDeliveryTag(lockToken: string): Buffer {
  const b = rhea.string_to_uuid(lockToken);
  return Buffer.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8)]);
}

/** `com.microsoft:locked-until-utc` is .NET ticks (100 ns since 0001-01-01) as an AMQP long. */
export function toDotNetTicks(timeInMs: number): unknown {
  const ticks = BigInt(timeInMs) * 10_000n + 621_355_968_000_000_000n;
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(ticks);
  return rhea.types.wrap_long(bytes);
}

/** A sequence number as rhea decodes an AMQP long: a number, or 8 bytes when beyond 2^53. */
export function readSequenceNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (Buffer.isBuffer(value) && value.length === 8) return Number(value.readBigInt64BE());
  throw new TypeError(`not a sequence number: ${String(value)}`);
}
