import type { CallCommand } from './call-flow/call-commands.js';
import { endCallForAgent } from './handle-routing-message.js';
import type { AgentStore, Clock, RoutingBus, RoutingRequests } from './ports.js';
import { callLeftQueueFromCancel, callQueuedFromRequest, offerOutcomeFromNotify } from './routing/call-queued-from-request.js';
import { routingSchemaVersion } from './routing/routing-types.js';

/** The call flow's routing commands, carried to the `routing` queue (and the agent document). */
export class BusRoutingRequests implements RoutingRequests {
  constructor(
    private readonly bus: RoutingBus,
    private readonly agents: AgentStore,
    private readonly clock: Clock,
    /** The after-call work of a queue's calls, in seconds (0: none). */
    private readonly wrapUpInSeconds: (queueId: string) => number = () => 0,
  ) {}

  async requestRouting(callId: string, callConnectionId: string, command: Extract<CallCommand, { kind: 'RequestRouting' }>, requestId: string): Promise<void> {
    await this.bus.send(callQueued(callId, callConnectionId, command, requestId, this.clock.now()));
  }

  async scheduleCallback(callId: string, callConnectionId: string, command: Extract<CallCommand, { kind: 'ScheduleCallback' }>, requestId: string): Promise<void> {
    const at = new Date(command.at);
    // A callback tried again has no connection: the caller is not on the line (the id is not used).
    const queued = callQueued(callId, callConnectionId || 'none', command, `${requestId}:callback`, at);
    await this.bus.schedule({ ...queued, callback: { phoneNumber: command.pii.phoneNumber, ...(command.attempt === undefined ? {} : { attempt: command.attempt }) } }, at);
  }

  async cancelRouting(callId: string, command: Extract<CallCommand, { kind: 'CancelRouting' }>, requestId: string): Promise<void> {
    await this.bus.send(callLeftQueueFromCancel({ callId, queueId: command.queueId, reason: command.reason }, requestId, this.clock.now()));
  }

  async requestCallback(callId: string, command: Extract<CallCommand, { kind: 'RequestCallback' }>, requestId: string): Promise<void> {
    await this.bus.send({
      kind: 'CallbackRequested', schemaVersion: routingSchemaVersion, messageId: `${callId}:callback:${requestId}`,
      queueId: command.queueId, occurredAt: this.clock.now().toISOString(), callId, phoneNumber: command.pii.phoneNumber,
    });
  }

  async callbackAnswered(callId: string, callConnectionId: string, command: Extract<CallCommand, { kind: 'CallbackAnswered' }>, requestId: string): Promise<void> {
    await this.bus.send({
      kind: 'CallbackAnswered', schemaVersion: routingSchemaVersion, messageId: `${callId}:callbackAnswered:${requestId}`,
      queueId: command.queueId, occurredAt: this.clock.now().toISOString(), callId, callConnectionId,
    });
  }

  async notifyRouting(callId: string, command: Extract<CallCommand, { kind: 'NotifyRouting' }>): Promise<void> {
    const { outcome } = command;
    if (outcome === 'callbackFailed') {
      await this.bus.send({
        kind: 'CallLeftQueue', schemaVersion: routingSchemaVersion, messageId: `${command.offerId}:callbackFailed`,
        queueId: command.queueId, occurredAt: this.clock.now().toISOString(), callId, reason: 'callbackFailed',
      });
      return;
    }
    if (outcome !== 'callEnded') {
      await this.bus.send(offerOutcomeFromNotify({ callId, queueId: command.queueId, offerId: command.offerId, agentId: command.agentId, outcome }, this.clock.now()));
      return;
    }
    const seconds = command.wrapUp ? this.wrapUpInSeconds(command.queueId) : 0;
    await endCallForAgent({ agents: this.agents, bus: this.bus, clock: this.clock }, command.agentId, callId, seconds > 0 ? { queueId: command.queueId, seconds } : undefined);
  }
}

/** The call's CallQueued message, without the transcript. */
function callQueued(
  callId: string,
  callConnectionId: string,
  command: Extract<CallCommand, { kind: 'RequestRouting' | 'ScheduleCallback' }>,
  requestId: string,
  at: Date,
) {
  const { queueId, priority, requiredSkills } = command;
  // The transcript stays in the call document (the agent's screen reads it there): every waiting
  // call's context is kept in the queue document, which must stay small.
  const context = { ...command.context, pii: { ...command.context.pii, transcript: [] } };
  return callQueuedFromRequest({ callId, callConnectionId, queueId, priority, requiredSkills: [...requiredSkills], context }, requestId, at);
}
