// A callback, whatever happens to it: dials answered, unanswered or refused, agents who answer or
// miss, bookings coming due, agents and the caller hanging up, in any order. Routing is simulated
// from the call's commands as the route worker behaves: it reserves one agent at a time for a
// waiting call, dials for it (CallbackDue) while the caller is off the line, and adds the agent to
// the call once the caller is on it (CallbackAnswered). Every agent reserved is given back exactly
// once, an agent reserved while the caller is on the line is rung into the call, the caller is
// never dialled while already on the line, and never more than the configured attempts.
import fc from 'fast-check';
import type { CallCommand } from '../../bot/call-flow/call-commands.js';
import type { CallEvent } from '../../bot/call-flow/call-events.js';
import type { CallState } from '../../bot/call-flow/call-state.js';
import { decideCall, startCall } from '../../bot/call-flow/decide-call.js';
import { offerOperationContext } from '../../bot/call-flow/offer-operation-context.js';
import { AgentLedger } from '../support/agent-ledger.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { flowPropertyRuns } from '../support/flow-property-runs.js';

const attempts = 3;
const flow = testFlow({ understandings: { 'my bill is wrong': sure('billing') }, callbackRetries: () => ({ attempts, retryDelayInSeconds: 300 }) });
const now = new Date('2026-11-25T15:00:00Z');
const callerId = '4:+14255550123';

type Happening =
  | { readonly kind: 'agentFree' | 'bookingDue' | 'callerHangsUp' | 'agentLeaves' }
  | { readonly kind: 'dial'; readonly outcome: 'answered' | 'notAnswered' | 'refused' }
  | { readonly kind: 'invitation'; readonly answered: boolean };

const happening: fc.Arbitrary<Happening> = fc.oneof(
  fc.constantFrom<Happening>({ kind: 'agentFree' }, { kind: 'bookingDue' }, { kind: 'callerHangsUp' }, { kind: 'agentLeaves' }),
  fc.record({ kind: fc.constant('dial' as const), outcome: fc.constantFrom('answered' as const, 'notAnswered' as const, 'refused' as const) }),
  fc.record({ kind: fc.constant('invitation' as const), answered: fc.boolean() }),
);

class SimulatedCallback {
  state: CallState;
  private sequence = 0;
  private readonly pending: CallEvent[] = [];
  /** Routing's view: the call waits in the queue, the caller on the line or not, the offer in progress. */
  private waiting = true;
  private onTheLine = false;
  private offer: { readonly offerId: string; readonly agentId: string } | undefined;
  private offers = 0;
  private bookings = 0;
  /** Call Automation's view. */
  private dialling = false;
  private connection: string | undefined;
  private readonly ringing: { readonly operationContext: string; readonly agentId: string }[] = [];
  private readonly present = new Set<string>();
  readonly ledger = new AgentLedger();
  dials = 0;

  constructor() {
    this.state = startCall(flow, { callId: 'cb', callerId, calledNumber: '+18005550100' }, now);
  }

  private event(e: Record<string, unknown>): CallEvent {
    return { eventId: `e${++this.sequence}`, occurredAt: now.toISOString(), ...e } as CallEvent;
  }

  apply(e: Record<string, unknown>): void {
    this.pending.push(this.event(e));
    while (this.pending.length > 0) {
      const decision = decideCall(flow, this.state, this.pending.shift() as CallEvent, now);
      this.state = decision.state;
      for (const command of decision.commands) this.respond(command);
    }
  }

  /** Routing gives the offer's agent back (a miss, the call leaving the queue). */
  private releaseOffer(): void {
    if (this.offer) this.ledger.release(this.offer.agentId);
    this.offer = undefined;
  }

  private respond(command: CallCommand): void {
    switch (command.kind) {
      case 'PlayPrompt':
        this.pending.push(this.event({ kind: 'PlayCompleted', operationContext: command.operationContext }));
        return;
      case 'StartRecognition':
        // The callback offer: the caller presses 1; anything later is silence.
        this.pending.push(this.event(this.state.stage === 'queued' && this.state.callback === undefined && this.connection === 'conn-1' && this.dials === 0
          ? { kind: 'ChoiceRecognized', label: 'callback', phrase: '1', operationContext: command.operationContext }
          : { kind: 'RecognitionTimedOut', operationContext: command.operationContext }));
        return;
      case 'CreateCall':
        expect({ dialledWhileOnTheLine: this.connection !== undefined, alreadyDialling: this.dialling }).toEqual({ dialledWhileOnTheLine: false, alreadyDialling: false });
        this.dialling = true;
        this.dials++;
        return;
      case 'AddTeamsUser': {
        const agentId = command.operationContext.split('|')[2] ?? '';
        this.ringing.push({ operationContext: command.operationContext, agentId });
        return;
      }
      case 'HangUp':
        this.disconnect();
        return;
      case 'RequestCallback':
        this.onTheLine = false;
        return;
      case 'CallbackAnswered':
        this.onTheLine = true;
        return;
      case 'ScheduleCallback':
        this.bookings++;
        return;
      case 'CancelRouting':
        this.waiting = false;
        this.releaseOffer();
        return;
      case 'NotifyRouting':
        switch (command.outcome) {
          case 'offerAccepted':
            // The agent is on the call now (given back when it ends: callEnded); the call leaves the queue.
            this.offer = undefined;
            this.waiting = false;
            return;
          case 'offerDeclined':
          case 'offerNotAnswered':
            this.releaseOffer();
            return;
          case 'callbackFailed':
            this.releaseOffer();
            this.waiting = false;
            return;
          case 'callEnded':
            this.ledger.release(command.agentId);
            return;
        }
        return;
      default:
        return;
    }
  }

  private disconnect(): void {
    if (!this.connection) return;
    this.connection = undefined;
    this.present.clear();
    this.ringing.length = 0;
    this.pending.push(this.event({ kind: 'CallDisconnected' }));
  }

  /** The caller, queued for billing, chooses a callback and hangs up. */
  start(): void {
    this.connection = 'conn-1';
    this.present.add(callerId);
    this.apply({ kind: 'CallConnected', callConnectionId: 'conn-1' });
    this.apply({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9, operationContext: this.state.pendingOperation });
    this.apply({ kind: 'CallbackOffered', expectedWaitInSeconds: 900 });
    this.connection = undefined;
    this.present.clear();
    this.apply({ kind: 'CallDisconnected' });
  }

  /** An agent reserved while the caller is on the line is being rung into the call, or is in it. */
  expectReservedAgentRung(after: Happening): void {
    if (!this.offer || !this.connection || this.state.stage !== 'queued') return;
    const { agentId } = this.offer;
    const rung = this.ringing.some((r) => r.agentId === agentId) || this.present.has(`8:orgid:tu-${agentId}`);
    expect({ after: after.kind, agentId, rung }).toEqual({ after: after.kind, agentId, rung: true });
  }

  happen(h: Happening): void {
    if (this.state.stage === 'ended') return;
    switch (h.kind) {
      case 'agentFree': {
        if (!this.waiting || this.offer) return;
        const agentId = `ag-${++this.offers}`;
        this.offer = { offerId: `o${this.offers}`, agentId };
        this.ledger.take(agentId);
        if (this.onTheLine && this.connection) this.ringing.push({ operationContext: offerOperationContext(this.offer.offerId, agentId), agentId });
        else this.apply({ kind: 'CallbackDue', offerId: this.offer.offerId, agentId, teamsUserId: `tu-${agentId}`, phoneNumber: '+14255550123' });
        return;
      }
      case 'bookingDue':
        if (this.bookings === 0 || this.waiting) return;
        this.bookings--;
        this.waiting = true;
        this.onTheLine = false;
        return;
      case 'dial':
        if (!this.dialling) return;
        this.dialling = false;
        if (h.outcome === 'answered') {
          this.connection = 'conn-2';
          this.present.add(callerId);
          this.apply({ kind: 'CallConnected', callConnectionId: 'conn-2' });
        } else {
          this.apply({ kind: 'CallNotAnswered', code: h.outcome === 'refused' ? 500 : 408, subCode: h.outcome === 'refused' ? -1 : 0 });
        }
        return;
      case 'invitation': {
        const invitation = this.ringing.shift();
        if (!invitation || !this.connection) return;
        if (h.answered) {
          this.present.add(`8:orgid:tu-${invitation.agentId}`);
          this.apply({ kind: 'ParticipantAdded', participantRawId: `8:orgid:tu-${invitation.agentId}`, operationContext: invitation.operationContext });
        } else {
          this.apply({ kind: 'AddParticipantFailed', participantRawId: `8:orgid:tu-${invitation.agentId}`, code: 603, subCode: 0, message: 'declined', operationContext: invitation.operationContext });
        }
        return;
      }
      case 'agentLeaves': {
        const agent = [...this.present].find((p) => p.startsWith('8:orgid:'));
        if (!agent || !this.connection) return;
        this.present.delete(agent);
        this.apply({ kind: 'ParticipantsUpdated', participantIds: [...this.present] });
        return;
      }
      case 'callerHangsUp':
        if (!this.connection) return;
        this.disconnect();
        this.apply({ kind: 'ParticipantsUpdated', participantIds: [] });
        return;
    }
  }
}


describe('a callback, whatever the dials, the agents and the caller do', () => {
  it('gives every agent reserved for it back exactly once, rings one reserved while the caller is on the line into the call, never dials a caller already on the line, and dials at most the configured attempts', () => {
    fc.assert(
      fc.property(fc.array(happening, { minLength: 1, maxLength: 40 }), (happenings) => {
        const call = new SimulatedCallback();
        call.start();
        expect(call.state.stage).toBe('callbackPending');
        for (const h of happenings) {
          call.happen(h);
          call.expectReservedAgentRung(h);
        }
        // In the end: any dial resolves unanswered, and a caller on the line hangs up.
        call.happen({ kind: 'dial', outcome: 'notAnswered' });
        call.happen({ kind: 'callerHangsUp' });
        expect(call.dials).toBeLessThanOrEqual(attempts);
        // Only an offer routing still holds (the call waits, off the line, for its next dial) may be held.
        const held = Object.entries(call.ledger.unbalanced());
        expect(held.length <= 1 && held.every(([, n]) => n === 1 && call.state.stage === 'callbackPending')).toBe(true);
      }),
      flowPropertyRuns,
    );
  });
});
