import { decideCall, startCall, type CallFlow } from '../../bot/call-flow/decide-call.js';
import type { CallEvent } from '../../bot/call-flow/call-events.js';
import type { CallState } from '../../bot/call-flow/call-state.js';

const now = new Date('2026-11-25T10:00:00Z');
const flow: CallFlow = {
  defaultLanguage: 'en-US',
  greeting: (language) => ({ text: 'Welcome to Contoso Broadband.', voice: 'en-US-JennyNeural', language }),
};
let seq = 0;
const event = (e: Record<string, unknown> & { kind: CallEvent['kind'] }): CallEvent =>
  ({ eventId: `e${++seq}`, occurredAt: now.toISOString(), ...e }) as CallEvent;

function given(state: CallState) {
  return {
    when: (e: CallEvent) => {
      const decision = decideCall(flow, state, e, now);
      return { then: (check: (d: typeof decision) => void) => check(decision), decision };
    },
  };
}

const answering = startCall(flow, { callId: 'c1', callerId: '4:+14255550123', calledNumber: '+18005550100' }, now);

describe('the first call: greet and hang up', () => {
  it('greets the caller once the call connects', () => {
    given(answering).when(event({ kind: 'CallConnected', callConnectionId: 'conn-1' })).then(({ state, commands }) => {
      expect(state.stage).toBe('greeting');
      expect(state.callConnectionId).toBe('conn-1');
      expect(commands).toEqual([
        { kind: 'PlayPrompt', prompt: { text: 'Welcome to Contoso Broadband.', voice: 'en-US-JennyNeural', language: 'en-US' }, operationContext: 'greeting:1' },
      ]);
    });
  });

  it('hangs up when the greeting finishes', () => {
    const greeting = given(answering).when(event({ kind: 'CallConnected', callConnectionId: 'conn-1' })).decision.state;
    given(greeting).when(event({ kind: 'PlayCompleted', operationContext: 'greeting:1' })).then(({ state, commands }) => {
      expect(state.stage).toBe('ending');
      expect(commands).toEqual([{ kind: 'HangUp' }]);
    });
  });

  it('ignores the outcome of an older operation and says so in history', () => {
    const greeting = given(answering).when(event({ kind: 'CallConnected', callConnectionId: 'conn-1' })).decision.state;
    given(greeting).when(event({ kind: 'PlayCompleted', operationContext: 'greeting:0' })).then(({ state, commands, history }) => {
      expect(state).toBe(greeting);
      expect(commands).toEqual([]);
      expect(history).toEqual([expect.objectContaining({ kind: 'event', ignored: 'stale' })]);
    });
  });

  it('ends the call when the caller hangs up, whatever the stage', () => {
    given(answering).when(event({ kind: 'CallDisconnected' })).then(({ state, commands }) => {
      expect(state.stage).toBe('ended');
      expect(state.endedAt).toBe(now.toISOString());
      expect(commands).toEqual([]);
    });
  });

  it('records an event kind it does not know instead of failing', () => {
    given(answering).when(event({ kind: 'UnknownCallEvent', type: 'Microsoft.Communication.Something' })).then(({ state, history }) => {
      expect(state).toBe(answering);
      expect(history).toEqual([expect.objectContaining({ ignored: 'unknown' })]);
    });
  });
});
