import { acsResults, type ResultInformation } from './acs-result-codes.js';
import type { CallbackSender } from './callback-sender.js';
import { participantModel, type CallRecord } from './call-state.js';
import type { TimerSet } from './timer-set.js';

export interface EmitOptions {
  readonly operationContext?: string | undefined;
  readonly operationCallbackUri?: string | undefined;
  readonly resultInformation?: ResultInformation;
}

/**
 * Turns what happened in a call into callbacks to the app's connection, with the fields every real
 * event carries (`version`, `callConnectionId`, `serverCallId`, `correlationId`, `publicEventType`),
 * and schedules call-scoped work. A connection that is disconnected gets nothing more: Call
 * Automation sends no callback after CallDisconnected.
 */
export class CallEvents {
  constructor(
    private readonly callbacks: CallbackSender,
    private readonly timers: TimerSet,
  ) {}

  emit(call: CallRecord, type: string, fields: Record<string, unknown>, options: EmitOptions): void {
    const connection = call.connection;
    if (!connection || connection.state === 'disconnected') return;
    const publicEventType = `Microsoft.Communication.${type}`;
    const data: Record<string, unknown> = {
      ...fields,
      version: connection.apiVersion,
      ...(options.operationContext !== undefined ? { operationContext: options.operationContext } : {}),
      ...(options.resultInformation ? { resultInformation: options.resultInformation } : {}),
      callConnectionId: connection.callConnectionId,
      serverCallId: call.serverCallId,
      correlationId: call.correlationId,
      publicEventType,
    };
    this.callbacks.send(connection.callConnectionId, options.operationCallbackUri ?? connection.callbackUri, publicEventType, data);
  }

  participantsUpdated(call: CallRecord): void {
    call.participantsSequenceNumber++;
    this.emit(
      call,
      'ParticipantsUpdated',
      { participants: [...call.participants.values()].map(participantModel), sequenceNumber: call.participantsSequenceNumber },
      { resultInformation: acsResults.success },
    );
  }

  /** Schedules work for a call; it is dropped if the call ends first. Returns its cancel. */
  after(call: CallRecord, delayInMs: number, action: () => void): () => void {
    const cancel = (): void => {
      stop();
      call.cancelers.delete(cancel);
    };
    const stop = this.timers.schedule(delayInMs, () => {
      call.cancelers.delete(cancel);
      if (call.state !== 'ended') action();
    });
    call.cancelers.add(cancel);
    return cancel;
  }
}
