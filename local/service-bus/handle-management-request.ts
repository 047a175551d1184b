import rhea from 'rhea';
import type { Message as AmqpMessage } from 'rhea';
import type { Disposition, QueueEntity, StoredMessage } from './service-bus-namespace.js';
import { readSequenceNumber, toWireMessage } from './to-wire-message.js';

/** A `$management` reply: Service Bus puts these in application properties as `statusCode` etc. */
export interface ManagementResponse {
  readonly statusCode: number;
  readonly statusDescription: string;
  readonly errorCondition?: string;
  readonly body?: unknown;
}

export interface ManagementRequest {
  readonly operation: string | undefined;
  readonly body: Record<string, unknown>;
  /** Owner id of the link named in `associated-link-name`, when the request names one. */
  readonly associatedOwnerId: string | undefined;
}

const ok = (body: unknown = {}): ManagementResponse => ({ statusCode: 200, statusDescription: 'OK', body });

const failure = (statusCode: number, errorCondition: string, statusDescription: string): ManagementResponse => ({
  statusCode,
  statusDescription,
  errorCondition,
});

const lockLost = () =>
  failure(
    410,
    'com.microsoft:message-lock-lost',
    'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
  );

const sessionLockLost = (sessionId: string) =>
  failure(410, 'com.microsoft:session-lock-lost', `The session lock has expired on the session with id ${sessionId}.`);

/**
 * The request/response operations of an entity's `$management` node, with the names, body keys and
 * reply shapes `@azure/service-bus` 7.9 uses.
 */
export function handleManagementRequest(entity: QueueEntity | undefined, request: ManagementRequest): ManagementResponse {
  if (entity === undefined) return failure(404, 'amqp:not-found', 'The messaging entity could not be found.');
  const { body } = request;
  switch (request.operation) {
    case 'com.microsoft:peek-message': {
      const from = readSequenceNumber(body['from-sequence-number']);
      const count = Number(body['message-count'] ?? 1);
      const found = entity.peek(from, count, optionalString(body['session-id']));
      if (found.length === 0) return { statusCode: 204, statusDescription: 'No messages' };
      return ok({ messages: found.map((m) => ({ message: encodeWithoutLock(m) })) });
    }
    case 'com.microsoft:renew-lock': {
      const expirations: Date[] = [];
      for (const token of lockTokensOf(body)) {
        const lockedUntil = entity.renewLock(token);
        if (lockedUntil === 'lockLost') return lockLost();
        expirations.push(new Date(lockedUntil));
      }
      return ok({ expirations });
    }
    case 'com.microsoft:schedule-message': {
      const entries = Array.isArray(body['messages']) ? (body['messages'] as Array<Record<string, unknown>>) : [];
      const decoded = entries.map((entry) => rhea.message.decode(entry['message'] as Buffer) as unknown as AmqpMessage);
      for (const message of decoded) {
        const refusal = entity.refusalReason(message);
        if (refusal !== undefined) return failure(400, 'com.microsoft:argument-error', refusal);
      }
      // A scheduled message dropped as a duplicate has no sequence number; -1 cancels nothing.
      const sequenceNumbers = decoded.map((message) => entity.enqueue(message)?.sequenceNumber ?? -1);
      return ok({ 'sequence-numbers': rhea.types.wrap_array(sequenceNumbers.map(longBytes), 0x81, undefined) });
    }
    case 'com.microsoft:cancel-scheduled-message':
      entity.cancelScheduled(sequenceNumbersOf(body));
      return ok();
    case 'com.microsoft:receive-by-sequence-number': {
      const mode = Number(body['receiver-settle-mode'] ?? 1) === 0 ? 'receiveAndDelete' : 'peekLock';
      const received = entity.receiveDeferred(sequenceNumbersOf(body), mode, optionalString(body['session-id']));
      if (!Array.isArray(received)) {
        return failure(
          404,
          'com.microsoft:message-not-found',
          `Failed to lock one or more specified messages. Either the message with sequence number ${received.missing} was not deferred or it does not exist.`,
        );
      }
      return ok({
        messages: received.map((m) => ({
          'lock-token': rhea.types.wrap_uuid(rhea.string_to_uuid(m.lock?.token ?? '00000000-0000-0000-0000-000000000000')),
          message: rhea.message.encode(toWireMessage(m)),
        })),
      });
    }
    case 'com.microsoft:update-disposition': {
      const disposition = dispositionOf(body);
      if (disposition === undefined) {
        return failure(400, 'com.microsoft:argument-error', `Unknown disposition-status ${String(body['disposition-status'])}.`);
      }
      for (const token of lockTokensOf(body)) {
        const outcome = entity.settle(token, disposition);
        if (outcome === 'lockLost') return lockLost();
        if (outcome === 'sessionLockLost') return sessionLockLost(String(body['session-id'] ?? ''));
      }
      return ok();
    }
    case 'com.microsoft:renew-session-lock': {
      const sessionId = String(body['session-id']);
      const lockedUntil = entity.renewSessionLock(sessionId, request.associatedOwnerId);
      if (lockedUntil === 'sessionLockLost') return sessionLockLost(sessionId);
      return ok({ expiration: new Date(lockedUntil) });
    }
    case 'com.microsoft:set-session-state': {
      const sessionId = String(body['session-id']);
      if (!entity.isSessionLockedBy(sessionId, request.associatedOwnerId)) return sessionLockLost(sessionId);
      const state = body['session-state'];
      entity.setSessionState(sessionId, Buffer.isBuffer(state) ? state : undefined);
      return ok();
    }
    case 'com.microsoft:get-session-state': {
      const sessionId = String(body['session-id']);
      if (!entity.isSessionLockedBy(sessionId, request.associatedOwnerId)) return sessionLockLost(sessionId);
      return ok({ 'session-state': entity.getSessionState(sessionId) ?? null });
    }
    default:
      return failure(501, 'amqp:not-implemented', `The emulator does not implement the operation ${String(request.operation)}.`);
  }
}

function encodeWithoutLock(message: StoredMessage): Buffer {
  return rhea.message.encode(toWireMessage({ ...message, lock: undefined }));
}

function lockTokensOf(body: Record<string, unknown>): string[] {
  const tokens = body['lock-tokens'];
  if (!Array.isArray(tokens)) return [];
  return tokens.map((t) => (Buffer.isBuffer(t) ? rhea.uuid_to_string(t) : String(t)));
}

function sequenceNumbersOf(body: Record<string, unknown>): number[] {
  const numbers = body['sequence-numbers'];
  return Array.isArray(numbers) ? numbers.map(readSequenceNumber) : [];
}

function optionalString(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

function longBytes(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(value));
  return bytes;
}

function dispositionOf(body: Record<string, unknown>): Disposition | undefined {
  const propertiesToModify = isRecord(body['properties-to-modify']) ? body['properties-to-modify'] : undefined;
  switch (body['disposition-status']) {
    case 'completed':
      return { kind: 'complete' };
    case 'abandoned':
      return { kind: 'abandon', ...(propertiesToModify && { propertiesToModify }) };
    case 'defered':
      return { kind: 'defer', ...(propertiesToModify && { propertiesToModify }) };
    case 'suspended':
      return {
        kind: 'deadLetter',
        ...(propertiesToModify && { propertiesToModify }),
        ...(typeof body['deadletter-reason'] === 'string' && { reason: body['deadletter-reason'] }),
        ...(typeof body['deadletter-description'] === 'string' && { description: body['deadletter-description'] }),
      };
    default:
      return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
