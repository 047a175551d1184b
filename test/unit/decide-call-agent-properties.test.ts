// The call flow once people are on the call, for anything agents, experts, routing, a transferred-to
// number and the caller do, in any order, with participant snapshots delivered late: every agent
// routing or the agent API took for the call (an offer, an expert consulted, a transfer's agent) is
// given back exactly once, nobody stays busy with a call they are not on, a caller still on a call
// with an agent is never left alone with nobody (unless a number they are transferred to is
// ringing), and a caller talking with someone is never hung up on. Call Automation is simulated
// from the commands: invitations ring until answered or missed, participants come and go, a
// hang-up disconnects.
import fc from 'fast-check';
import type { CallCommand } from '../../bot/call-flow/call-commands.js';
import type { CallEvent } from '../../bot/call-flow/call-events.js';
import type { CallState } from '../../bot/call-flow/call-state.js';
import { decideCall, startCall } from '../../bot/call-flow/decide-call.js';
import { offerOperationContext } from '../../bot/call-flow/offer-operation-context.js';
import { AgentLedger } from '../support/agent-ledger.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { flowPropertyRuns } from '../support/flow-property-runs.js';

const flow = testFlow({ understandings: { 'my bill is wrong': sure('billing') } });
const now = new Date('2026-11-25T15:00:00Z');
const callerId = '4:+14255550123';
const rawIdOf = (teamsUserId: string) => `8:orgid:${teamsUserId}`;
const teamsUserOf = (agentId: string) => `tu-${agentId}`;

type Happening =
  | { readonly kind: 'consult' | 'transferToAgent'; readonly agentId: string }
  | { readonly kind: 'transferToQueue' | 'transferToPhone' | 'callerHangsUp' | 'offer' }
  | { readonly kind: 'invitation' | 'phone'; readonly answered: boolean }
  | { readonly kind: 'leaves'; readonly which: number }
  /** A participant snapshot already delivered comes again, late (a retried callback). */
  | { readonly kind: 'lateSnapshot'; readonly which: number };

const happening: fc.Arbitrary<Happening> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('consult' as const, 'transferToAgent' as const), agentId: fc.constantFrom('sme-1', 'sme-2', 'ag-9') }) },
  { weight: 2, arbitrary: fc.constantFrom<Happening>({ kind: 'transferToQueue' }, { kind: 'transferToPhone' }, { kind: 'offer' }) },
  { weight: 1, arbitrary: fc.constant<Happening>({ kind: 'callerHangsUp' }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('invitation' as const, 'phone' as const), answered: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leaves' as const), which: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lateSnapshot' as const), which: fc.nat(20) }) },
);

const releasing = new Set(['callEnded', 'offerDeclined', 'offerNotAnswered', 'callbackFailed']);

class SimulatedCall {
  state: CallState;
  readonly participants = new Set<string>([callerId]);
  /** Teams invitations ringing, oldest first: offers from routing, experts and transfers. */
  readonly ringing: { readonly operationContext: string; readonly teamsUserId: string; readonly agentId?: string; readonly offer: boolean }[] = [];
  phoneRinging: string | undefined;
  connected = true;
  private readonly pending: CallEvent[] = [];
  /** Participant snapshots sent so far, numbered as Call Automation numbers them. */
  private readonly snapshots: CallEvent[] = [];
  private sequence = 0;
  private offers = 0;
  readonly ledger = new AgentLedger();

  constructor() {
    this.state = startCall(flow, { callId: 'c1', callerId, calledNumber: '+18005550100' }, now);
  }

  private event(e: Record<string, unknown>): CallEvent {
    return { eventId: `e${++this.sequence}`, occurredAt: now.toISOString(), ...e } as CallEvent;
  }

  apply(e: Record<string, unknown>): void {
    const event = this.event(e);
    const decision = decideCall(flow, this.state, event, now);
    this.state = decision.state;
    for (const command of decision.commands) this.respond(command);
    this.drain();
  }

  /**
   * Once everything due has happened: a caller still on the call is with someone, or waits for a
   * number that is ringing, or is queued. A call left `ending` or `connected` with nobody is silence.
   */
  /** Nobody stays busy with this call who is not on it and not being rung for it. */
  expectNobodyHeldInVain(after: Happening): void {
    const ringingFor = new Set(this.ringing.map((r) => r.teamsUserId));
    const held = this.ledger.agents().filter((a) => this.ledger.holding(a) > 0 && !this.participants.has(rawIdOf(teamsUserOf(a))) && !ringingFor.has(teamsUserOf(a)));
    expect({ after: after.kind, stage: this.state.stage, held }).toEqual({ after: after.kind, stage: this.state.stage, held: [] });
  }

  expectCallerNotAlone(after: Happening): void {
    if (!this.connected || !this.participants.has(callerId) || this.state.stage === 'ended') return;
    const someoneThere = [...this.participants].some((p) => p.startsWith('8:orgid:'));
    const numberRinging = this.phoneRinging !== undefined;
    const fine = this.state.stage === 'connected' ? someoneThere || numberRinging : this.state.stage === 'ending' ? numberRinging : true;
    expect({ after: after.kind, stage: this.state.stage, someoneThere, numberRinging, fine }).toEqual({ after: after.kind, stage: this.state.stage, someoneThere, numberRinging, fine: true });
  }

  private drain(): void {
    while (this.pending.length > 0 && this.state.stage !== 'ended') {
      const next = this.pending.shift() as CallEvent;
      const decision = decideCall(flow, this.state, next, now);
      this.state = decision.state;
      for (const command of decision.commands) this.respond(command);
    }
  }

  private participantsUpdated(): void {
    if (!this.connected) return;
    const snapshot = this.event({ kind: 'ParticipantsUpdated', participantIds: [...this.participants], sequenceNumber: this.snapshots.length + 1 });
    this.snapshots.push(snapshot);
    this.pending.push(snapshot);
  }

  private disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.pending.push(this.event({ kind: 'CallDisconnected' }));
  }

  private respond(command: CallCommand): void {
    switch (command.kind) {
      case 'PlayPrompt':
        this.pending.push(this.event({ kind: 'PlayCompleted', operationContext: command.operationContext }));
        return;
      case 'StartRecognition':
        this.pending.push(this.event({ kind: 'RecognitionTimedOut', operationContext: command.operationContext }));
        return;
      case 'AddTeamsUser':
        this.ringing.push({ operationContext: command.operationContext, teamsUserId: command.teamsUserId, offer: false });
        return;
      case 'RemoveTeamsUser':
        if (this.participants.delete(rawIdOf(command.teamsUserId))) this.participantsUpdated();
        return;
      case 'TransferToPhone':
        this.phoneRinging = command.operationContext;
        return;
      case 'HangUp': {
        // Hanging up on a caller who is talking with someone cuts them off.
        const together = this.participants.has(callerId) && [...this.participants].some((p) => p.startsWith('8:orgid:'));
        expect({ hangUp: this.state.stage, together }).toEqual({ hangUp: this.state.stage, together: false });
        this.disconnect();
        return;
      }
      case 'NotifyRouting':
        if (releasing.has(command.outcome)) this.ledger.release(command.agentId);
        return;
      case 'CancelRouting':
        // Routing withdraws the call's offers and gives their agents back itself.
        for (const offer of this.ringing.filter((r) => r.offer)) {
          this.ringing.splice(this.ringing.indexOf(offer), 1);
          this.ledger.release(offer.agentId ?? '');
        }
        return;
      default:
        return;
    }
  }

  happen(h: Happening): void {
    if (this.state.stage === 'ended') return;
    switch (h.kind) {
      case 'consult':
      case 'transferToAgent': {
        // The agent API takes the agent (capacity) first, unless they are already busy with this call.
        if (this.ledger.holding(h.agentId) > 0) return;
        this.ledger.take(h.agentId);
        const teamsUserId = teamsUserOf(h.agentId);
        if (h.kind === 'consult') this.apply({ kind: 'ConsultRequested', agentId: h.agentId, teamsUserId });
        else this.apply({ kind: 'TransferRequested', target: { kind: 'agent', agentId: h.agentId, teamsUserId } });
        return;
      }
      case 'transferToQueue':
        this.apply({ kind: 'TransferRequested', target: { kind: 'queue', queueId: 'general' } });
        return;
      case 'transferToPhone':
        this.apply({ kind: 'TransferRequested', target: { kind: 'phone', phoneNumber: '+14255550999' } });
        return;
      case 'offer': {
        // Routing offers a waiting call to one agent at a time.
        if (this.state.stage !== 'queued' || !this.connected || this.ringing.some((r) => r.offer)) return;
        const agentId = `ag-${++this.offers}`;
        this.ledger.take(agentId);
        this.ringing.push({ operationContext: offerOperationContext(`o${this.offers}`, agentId), teamsUserId: teamsUserOf(agentId), agentId, offer: true });
        return;
      }
      case 'invitation': {
        const invitation = this.ringing.shift();
        if (!invitation || !this.connected) return;
        if (h.answered) {
          this.participants.add(rawIdOf(invitation.teamsUserId));
          this.apply({ kind: 'ParticipantAdded', participantRawId: rawIdOf(invitation.teamsUserId), operationContext: invitation.operationContext });
          this.participantsUpdated();
          this.drain();
        } else {
          this.apply({ kind: 'AddParticipantFailed', participantRawId: rawIdOf(invitation.teamsUserId), code: 408, subCode: 0, message: 'no answer', operationContext: invitation.operationContext });
        }
        return;
      }
      case 'phone': {
        const operationContext = this.phoneRinging;
        if (operationContext === undefined || !this.connected) return;
        this.phoneRinging = undefined;
        if (h.answered) {
          // The caller talks on with the number; the assistant's leg is disconnected.
          this.apply({ kind: 'CallTransferAccepted', operationContext });
          this.disconnect();
          this.drain();
        } else {
          this.apply({ kind: 'CallTransferFailed', code: 486, subCode: 0, message: 'busy', operationContext });
        }
        return;
      }
      case 'leaves': {
        const people = [...this.participants].filter((p) => p.startsWith('8:orgid:'));
        const leaving = people[h.which % Math.max(1, people.length)];
        if (!leaving || !this.connected) return;
        this.participants.delete(leaving);
        this.participantsUpdated();
        this.drain();
        return;
      }
      case 'lateSnapshot': {
        const late = this.snapshots[h.which % Math.max(1, this.snapshots.length)];
        if (!late || !this.connected) return;
        this.apply({ ...late, eventId: `late-${late.eventId}` });
        return;
      }
      case 'callerHangsUp':
        if (!this.connected) return;
        this.participants.delete(callerId);
        if ([...this.participants].some((p) => p.startsWith('8:orgid:'))) this.participantsUpdated();
        else this.disconnect();
        this.drain();
        return;
    }
  }
}


describe('a call with people on it, whatever agents, experts, routing, a transferred-to number and the caller do', () => {
  it('gives every agent taken for the call back exactly once, and never leaves the caller with nobody', () => {
    fc.assert(
      fc.property(fc.array(happening, { minLength: 1, maxLength: 30 }), (happenings) => {
        const call = new SimulatedCall();
        // Connected, asks for billing, queued, and the first offer (ag-1) answered.
        call.apply({ kind: 'CallConnected', callConnectionId: 'conn-1' });
        call.apply({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9, operationContext: call.state.pendingOperation });
        call.happen({ kind: 'offer' });
        call.happen({ kind: 'invitation', answered: true });
        expect(call.state.stage).toBe('connected');
        for (const h of happenings) {
          call.happen(h);
          call.expectCallerNotAlone(h);
          call.expectNobodyHeldInVain(h);
        }
        // In the end the caller hangs up, if nothing else ended the call.
        call.happen({ kind: 'callerHangsUp' });
        if (call.state.stage !== 'ended' && call.connected) call.apply({ kind: 'CallDisconnected' });
        expect(call.state.stage).toBe('ended');
        expect(call.ledger.unbalanced()).toEqual({});
      }),
      flowPropertyRuns,
    );
  });
});
