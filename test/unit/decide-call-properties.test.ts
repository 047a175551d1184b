// Properties of the call flow for any caller: the sample contact center's real decider and
// classifiers, driven by callers fast-check makes up (words, keys, silence, hang-ups, stale and
// repeated events), answered the way Call Automation answers (local/acs/recognize-outcome.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { assistantFlowFromConfig } from '../../bot/assistant/assistant-flow-from-config.js';
import { isOpen } from '../../bot/assistant/business-hours.js';
import { BUNDLED_WORD_VECTORS_URL, decodeWordVectors } from '../../bot/assistant/nlu/word-vectors.js';
import type { CallCommand } from '../../bot/call-flow/call-commands.js';
import type { ActionResult, CallEvent } from '../../bot/call-flow/call-events.js';
import type { CallStage, CallState, Decision, HistoryEntry } from '../../bot/call-flow/call-state.js';
import { decideCall, startCall } from '../../bot/call-flow/decide-call.js';
import { offerOperationContext } from '../../bot/call-flow/offer-operation-context.js';
import { readContactCenterConfig, trainIntentClassifiers } from '../../bot/load-assistant-flow.js';
import { flowPropertyRuns } from '../support/flow-property-runs.js';

const config = readContactCenterConfig(join(import.meta.dirname, '..', '..', 'config', 'contact-center.yaml'));
const classify = trainIntentClassifiers(config, decodeWordVectors(new Uint8Array(readFileSync(BUNDLED_WORD_VECTORS_URL))));
const schedules = new Map(Object.entries(config.businessHours));
const flow = assistantFlowFromConfig(config, classify, (name, now) => {
  const schedule = schedules.get(name);
  return schedule === undefined ? { open: true } : isOpen(schedule, now);
}, { builtInHoldMusicUrl: 'https://switchboard.example/api/media/hold-tone.wav' });

/** Caller data that must never be found in history outside its `pii` fields. */
const secret = { word: 'zanzibarquartz', orderNumber: '97531864', accountNumber: '8642097531', pin: '9753' };

type Move =
  | { readonly kind: 'say'; readonly text: string }
  | { readonly kind: 'press'; readonly keys: string }
  | { readonly kind: 'silence' }
  | { readonly kind: 'hangUp' }
  /** The previous media outcome again (a retried callback), or one for a question no longer asked. */
  | { readonly kind: 'repeatLast' }
  | { readonly kind: 'stale' }
  /** Call Automation refused to start the question: the caller heard nothing. */
  | { readonly kind: 'refused' };

const phrases = [
  'I want to pay my bill', 'where is my order', 'what is my balance', 'my internet is not working', 'I am moving house',
  'I want to cancel my service', 'I want to complain', 'agent please', 'operator', 'internet thing', 'billing',
  'yes', 'no', 'no thanks', 'yes please', 'the first one', 'the second one', 'neither', 'repeat that please', 'what?',
  'next Friday', 'yesterday', 'November 20th', 'uh', 'hello?', 'English', 'español', 'quiero pagar mi factura',
  'dónde está mi pedido', 'no, actually I also want to pay my bill', 'start over', 'main menu please', 'volver a empezar', `my name is ${secret.word}`,
  `my order number is ${secret.orderNumber}`, secret.accountNumber, `it is about ${secret.word} charging me twice`,
];
const keys = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', secret.orderNumber, secret.accountNumber, `${secret.pin}#`, '12#'];

const move: fc.Arbitrary<Move> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...phrases).map((text): Move => ({ kind: 'say', text })) },
  // Anything a recogniser might hand over, and menu words with anything after them.
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((text): Move => ({ kind: 'say', text })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('no, ', 'yes ', 'agent ', 'the first ', 'repeat ', 'no actually '), fc.string({ maxLength: 20 })).map(([a, b]): Move => ({ kind: 'say', text: a + b })) },
  { weight: 8, arbitrary: fc.constantFrom(...keys).map((k): Move => ({ kind: 'press', keys: k })) },
  { weight: 3, arbitrary: fc.constant<Move>({ kind: 'silence' }) },
  { weight: 1, arbitrary: fc.constant<Move>({ kind: 'repeatLast' }) },
  { weight: 1, arbitrary: fc.constant<Move>({ kind: 'stale' }) },
  { weight: 1, arbitrary: fc.constant<Move>({ kind: 'hangUp' }) },
  { weight: 1, arbitrary: fc.constant<Move>({ kind: 'refused' }) },
);

/** What a self-service backend may answer, with the sample's own prompts. */
const actionResult: fc.Arbitrary<ActionResult> = fc.constantFrom<ActionResult>(
  { status: 'succeeded', say: { prompt: 'orderStatusFound', values: { orderNumber: '9 7 5 3', status: 'shipped', date: 'December 7' } } },
  { status: 'succeeded', say: { prompt: 'balanceResult', values: { amount: '$42.50', dueDate: 'December 20' } } },
  { status: 'notFound', say: { prompt: 'orderNotFound', values: { orderNumber: '9 7 5 3' } } },
  { status: 'retry', say: { prompt: 'pinIncorrect' }, slot: 'pin', maxAttempts: 3, lockedSay: { prompt: 'pinLocked' } },
  { status: 'failed', reason: 'backend answered 500' },
  { status: 'timedOut' },
);

const moments = [
  '2026-12-08T15:00:00Z', // Tuesday, open
  '2026-12-09T04:00:00Z', // Tuesday 23:00 in New York: closed
  '2026-12-25T16:00:00Z', // Christmas Day
];
const lines = config.numbers.map((n) => n.number);

/** Stages where the caller is being asked something and the flow waits for the answer. */
const asking: ReadonlySet<CallStage> = new Set(['languageMenu', 'understanding', 'clarifying', 'confirmingIntent', 'collectingSlot', 'confirmingSlot', 'anythingElse', 'closed']);
/** Beyond the assistant: a person, a queue, a message or a callback takes over. */
const handedOn: ReadonlySet<CallStage> = new Set(['escalating', 'queued', 'connected', 'voicemail', 'callbackPending', 'callingBack']);

interface Walk {
  readonly steps: { readonly before: CallState; readonly event: CallEvent; readonly decision: Decision }[];
  readonly history: HistoryEntry[];
  readonly final: CallState;
}

let eventSequence = 0;
/** Event ids in letters ("ev-bcd" for 123), so that no id can contain the caller's digits. */
const eventBase = (now: Date, operationContext?: string) => ({
  eventId: `ev-${String(++eventSequence).replace(/\d/g, (d) => 'abcdefghij'[Number(d)] as string)}`,
  occurredAt: now.toISOString(),
  ...(operationContext === undefined ? {} : { operationContext }),
});

/** Call Automation's answer to what the caller did while `recognition` listened. */
function recognized(recognition: Extract<CallCommand, { kind: 'StartRecognition' }>, m: Move, now: Date): CallEvent {
  const base = eventBase(now, recognition.operationContext);
  const { mode } = recognition;
  if (m.kind === 'say') {
    const said = m.text.trim().toLowerCase();
    if (mode.kind === 'dtmf') return { ...base, kind: 'RecognitionTimedOut' };
    if (mode.kind === 'choices') {
      const choice = mode.choices.find((c) => c.phrases.some((p) => p.trim().toLowerCase() === said));
      return choice ? { ...base, kind: 'ChoiceRecognized', label: choice.label, phrase: m.text } : { ...base, kind: 'RecognitionFailed', code: 400, subCode: 8547, message: 'no match' };
    }
    return { ...base, kind: 'SpeechRecognized', text: m.text, confidence: 0.9 };
  }
  if (m.kind === 'press') {
    if (mode.kind === 'choices') {
      const choice = mode.choices.find((c) => c.tone !== undefined && c.tone === m.keys[0]);
      return choice ? { ...base, kind: 'ChoiceRecognized', label: choice.label, phrase: undefined } : { ...base, kind: 'RecognitionFailed', code: 400, subCode: 8531, message: 'incorrect tone' };
    }
    const stop = mode.kind === 'dtmf' ? m.keys.indexOf('#') : -1;
    const tones = (stop >= 0 ? m.keys.slice(0, stop) : m.keys).replace(mode.kind === 'dtmf' ? /#/g : /$^/, '').slice(0, mode.maxTonesToCollect);
    return { ...base, kind: 'KeysPressed', tones };
  }
  return { ...base, kind: 'RecognitionTimedOut' };
}

/** Plays the call: each decision's commands are answered by Call Automation, the backend or the caller. */
function walk(moves: readonly Move[], results: readonly ActionResult[], at: string, line: string, slowActions = false): Walk {
  const now = new Date(at);
  eventSequence = 0;
  let state = startCall(flow, { callId: 'prop', callerId: '4:+14255550123', calledNumber: line }, now);
  const steps: Walk['steps'] = [];
  const history: HistoryEntry[] = [];
  let pending: CallEvent[] = [{ ...eventBase(now), kind: 'CallConnected', callConnectionId: 'conn-1' }];
  let lastMediaOutcome: CallEvent | undefined;
  let staleContext: string | undefined;
  let nextMove = 0;
  let nextResult = 0;
  while (pending.length > 0 && steps.length < 200) {
    const event = pending.shift() as CallEvent;
    const decision = decideCall(flow, state, event, now);
    steps.push({ before: state, event, decision });
    history.push(...decision.history);
    if (event.operationContext !== undefined && event.operationContext !== decision.state.pendingOperation) staleContext = event.operationContext;
    state = decision.state;
    if (state.stage === 'ended' || handedOn.has(state.stage)) break;
    for (const command of decision.commands) {
      switch (command.kind) {
        case 'HangUp':
          pending.push({ ...eventBase(now), kind: 'CallDisconnected' });
          break;
        case 'PlayPrompt':
          pending.push({ ...eventBase(now, command.operationContext), kind: 'PlayCompleted' });
          break;
        case 'RunAction':
          // A slow backend: the filler is due before the result.
          if (slowActions) pending.push({ ...eventBase(now), kind: 'ActionSlow', actionId: command.actionId });
          pending.push({ ...eventBase(now), kind: 'ActionCompleted', actionId: command.actionId, result: results[nextResult++ % results.length] as ActionResult });
          break;
        case 'StartRecognition': {
          const m = moves[nextMove++];
          if (m === undefined || m.kind === 'hangUp') {
            pending.push({ ...eventBase(now), kind: 'CallDisconnected' });
          } else if (m.kind === 'repeatLast' && lastMediaOutcome !== undefined) {
            pending.push(lastMediaOutcome, recognized(command, { kind: 'silence' }, now));
          } else if (m.kind === 'refused') {
            pending.push({ ...eventBase(now, command.operationContext), kind: 'RecognitionNotStarted', reason: 'Call Automation answered 503' });
          } else if (m.kind === 'stale' && staleContext !== undefined) {
            pending.push({ ...eventBase(now, staleContext), kind: 'SpeechRecognized', text: 'agent please', confidence: 0.9 }, recognized(command, { kind: 'silence' }, now));
          } else {
            const outcome = recognized(command, m, now);
            lastMediaOutcome = outcome;
            pending.push(outcome);
          }
          break;
        }
        default:
          break;
      }
    }
  }
  return { steps, history, final: state };
}

/** The entry with every `pii` field removed, as JSON. */
function withoutPii(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (key === 'pii' ? undefined : v));
}

/** Half the callers start with a self-service request, so that slots, read-backs, actions and "anything else?" are reached. */
const selfServiceStart = fc.constantFrom<readonly Move[]>(
  [{ kind: 'press', keys: '1' }, { kind: 'say', text: 'where is my order' }, { kind: 'press', keys: secret.orderNumber }, { kind: 'say', text: 'yes' }],
  [{ kind: 'press', keys: '1' }, { kind: 'press', keys: '3' }, { kind: 'press', keys: secret.accountNumber }, { kind: 'press', keys: '1' }, { kind: 'press', keys: `${secret.pin}#` }],
  [{ kind: 'press', keys: '2' }, { kind: 'say', text: 'dónde está mi pedido' }, { kind: 'press', keys: secret.orderNumber }, { kind: 'press', keys: '1' }],
  [{ kind: 'press', keys: '1' }, { kind: 'say', text: 'I am moving house' }, { kind: 'say', text: 'November 20th' }],
);
const start = fc.oneof(fc.constant<readonly Move[]>([]), selfServiceStart);

const anyCall = fc.record({
  moves: fc.tuple(start, fc.array(move, { minLength: 8, maxLength: 40 })).map(([first, rest]) => [...first, ...rest]),
  results: fc.array(actionResult, { minLength: 1, maxLength: 4 }),
  // Mostly within business hours, where the assistant has the most to do.
  at: fc.oneof({ weight: 4, arbitrary: fc.constant(moments[0] as string) }, { weight: 1, arbitrary: fc.constantFrom(...moments) }),
  line: fc.constantFrom(...lines),
  slowActions: fc.boolean(),
});

// npm test plays the same 1,000 callers every time; FLOW_PROPERTY_RUNS=20000 npx jest
// test/unit/decide-call-properties.test.ts plays that many new ones (a failure prints its seed and caller).

describe('the call flow, for any caller', () => {
  it('never leaves a caller it is asking something without listening for the answer', () => {
    fc.assert(
      fc.property(anyCall, ({ moves, results, at, line, slowActions }) => {
        for (const { before, decision } of walk(moves, results, at, line, slowActions).steps) {
          const { stage, pendingOperation } = decision.state;
          if (!asking.has(stage)) continue;
          // Waiting for an answer: to a question asked by this very decision, or to one still open.
          const askedNow = decision.commands.some((c) => c.kind === 'StartRecognition' && c.operationContext === pendingOperation);
          const stillOpen = pendingOperation !== undefined && pendingOperation === before.pendingOperation && before.stage === stage;
          expect({ stage, listening: askedNow || stillOpen }).toEqual({ stage, listening: true });
        }
      }),
      flowPropertyRuns,
    );
  });

  it('hands a caller who never gives a usable answer to a person, a message or a goodbye, asking each question at most 1 + the retry limit times', () => {
    const limit = Math.max(config.assistant.maxNoInputRetries, config.assistant.maxNoMatchRetries);
    const unusable = fc.array(fc.oneof(fc.constant<Move>({ kind: 'silence' }), fc.constantFrom<Move>({ kind: 'say', text: 'uh' }, { kind: 'say', text: 'hmm' }, { kind: 'press', keys: '#' })), { minLength: 40, maxLength: 40 });
    fc.assert(
      fc.property(unusable, fc.constantFrom(...moments), fc.constantFrom(...lines), (moves, at, line) => {
        const { steps, final } = walk(moves, [{ status: 'timedOut' }], at, line);
        expect(final.stage === 'ended' || handedOn.has(final.stage)).toBe(true);
        // The stages of the questions asked, in order: a run of one stage is one question asked again.
        const asked = steps.filter((s) => s.decision.commands.some((c) => c.kind === 'StartRecognition')).map((s) => s.decision.state.stage);
        let run = 0;
        asked.forEach((stage, i) => {
          run = i > 0 && asked[i - 1] === stage ? run + 1 : 1;
          expect({ stage, askedInARow: run }).toEqual({ stage, askedInARow: Math.min(run, 1 + limit) });
        });
      }),
      flowPropertyRuns,
    );
  });

  it('keeps what the caller said and keyed only under pii fields of the history', () => {
    fc.assert(
      fc.property(anyCall, ({ moves, results, at, line, slowActions }) => {
        const { history } = walk(moves, results, at, line, slowActions);
        const outside = withoutPii(history);
        // Digits as a number of their own: a confidence such as 0.2749753… is not the PIN 9753.
        for (const value of [secret.word, secret.orderNumber, secret.accountNumber, secret.pin, '9 7 5 3', '8 6 4']) {
          expect({ value, found: new RegExp(`(?<![\\d.])${value}(?!\\d)`).test(outside) }).toEqual({ value, found: false });
        }
      }),
      flowPropertyRuns,
    );
  });

  it('ignores an answer to a question no longer asked (a retried or late callback)', () => {
    const answers: ReadonlySet<CallEvent['kind']> = new Set(['SpeechRecognized', 'KeysPressed', 'ChoiceRecognized', 'RecognitionTimedOut', 'RecognitionFailed']);
    let stale = 0;
    fc.assert(
      fc.property(anyCall, ({ moves, results, at, line, slowActions }) => {
        for (const { before, event, decision } of walk(moves, results, at, line, slowActions).steps) {
          if (!answers.has(event.kind) || event.operationContext === before.pendingOperation) continue;
          stale += 1;
          expect({ kind: event.kind, commands: decision.commands, state: decision.state }).toEqual({ kind: event.kind, commands: [], state: before });
        }
      }),
      flowPropertyRuns,
    );
    // The callers made up did send such answers.
    expect(stale).toBeGreaterThan(20);
  });

  it('never asks the same question more often than the retry limits allow', () => {
    const limit = Math.max(config.assistant.maxNoInputRetries, config.assistant.maxNoMatchRetries);
    fc.assert(
      fc.property(anyCall, ({ moves, results, at, line, slowActions }) => {
        for (const { decision } of walk(moves, results, at, line, slowActions).steps) expect(decision.state.retries).toBeLessThanOrEqual(limit);
      }),
      flowPropertyRuns,
    );
  });
});

/** What happens to a caller waiting in a queue, from routing and from the caller. */
type QueueHappening =
  | { readonly kind: 'position'; readonly position: number; readonly waitInSeconds: number }
  | { readonly kind: 'callbackOffered' }
  | { readonly kind: 'overflow'; readonly action: 'queue' | 'voicemail' | 'callback' | 'disconnect' }
  | { readonly kind: 'agentJoins' | 'agentMisses' | 'routingUnavailable' }
  | { readonly kind: 'caller'; readonly move: Move };

const queueHappening: fc.Arbitrary<QueueHappening> = fc.oneof(
  fc.record({ kind: fc.constant('position' as const), position: fc.integer({ min: 1, max: 20 }), waitInSeconds: fc.integer({ min: 0, max: 1800 }) }),
  fc.constant<QueueHappening>({ kind: 'callbackOffered' }),
  fc.record({ kind: fc.constant('overflow' as const), action: fc.constantFrom('queue' as const, 'voicemail' as const, 'callback' as const, 'disconnect' as const) }),
  fc.constantFrom<QueueHappening>({ kind: 'agentJoins' }, { kind: 'agentMisses' }, { kind: 'routingUnavailable' }),
  fc.constantFrom<Move>({ kind: 'press', keys: '1' }, { kind: 'press', keys: '2' }, { kind: 'silence' }, { kind: 'say', text: 'I will wait' }, { kind: 'hangUp' }).map((m): QueueHappening => ({ kind: 'caller', move: m })),
);

describe('a caller waiting in a queue, whatever routing and the caller do', () => {
  it('always hears music, an announcement or a question until an agent joins or the call ends, unless no music file can be played', () => {
    fc.assert(
      fc.property(
        fc.array(queueHappening, { minLength: 1, maxLength: 25 }),
        fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }),
        // Which plays Call Automation cannot carry out (a file it cannot download, a prompt it refuses).
        fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
        (happenings, mediaFirst, playFails) => {
        const now = new Date(moments[0] as string);
        eventSequence = 0;
        // Queued for billing from the main line: English, then a request for a person.
        let state = startCall(flow, { callId: 'q', callerId: '4:+14255550123', calledNumber: '+12125550100' }, now);
        const media: CallEvent[] = [{ ...eventBase(now), kind: 'CallConnected', callConnectionId: 'conn-1' }];
        const lead: Move[] = [{ kind: 'press', keys: '1' }, { kind: 'say', text: 'I want to pay my bill' }];
        let music: string | undefined;
        let waiting: Extract<CallCommand, { kind: 'StartRecognition' }> | undefined;
        let offers = 0;
        let step = 0;
        let plays = 0;
        const fails = () => playFails[plays++ % playFails.length] === true;
        const failed = { kind: 'PlayFailed', code: 400, subCode: 8536, message: 'Action failed, file could not be downloaded.' } as const;
        // Music started with nothing else heard in between: failing files are not retried in a loop.
        let musicInARow = 0;
        const respond = (commands: readonly CallCommand[]) => {
          for (const c of commands) {
            if (c.kind === 'PlayPrompt' || c.kind === 'StartRecognition') musicInARow = 0;
            if (c.kind === 'PlayPrompt') media.push({ ...eventBase(now, c.operationContext), ...(state.stage === 'queued' && fails() ? failed : { kind: 'PlayCompleted' as const }) });
            if (c.kind === 'PlayAudio') {
              musicInARow += 1;
              expect(musicInARow).toBeLessThanOrEqual(flow.holdMusicUrls(state.queueId ?? '').length);
              if (fails()) media.push({ ...eventBase(now, c.operationContext), ...failed });
              else music = c.operationContext;
            }
            if (c.kind === 'CancelMedia' && music !== undefined) {
              media.push({ ...eventBase(now, music), kind: 'PlayCanceled' });
              music = undefined;
            }
            if (c.kind === 'StartRecording') media.push({ ...eventBase(now), kind: 'RecordingStarted', recordingId: 'rec-1' });
            if (c.kind === 'HangUp') media.push({ ...eventBase(now), kind: 'CallDisconnected' });
            if (c.kind === 'StartRecognition') {
              const m = lead.shift();
              if (m !== undefined) media.push(recognized(c, m, now));
              else waiting = c;
            }
          }
        };
        const apply = (event: CallEvent) => {
          const decision = decideCall(flow, state, event, now);
          state = decision.state;
          respond(decision.commands);
          if (state.stage === 'queued') {
            const noMusicLeft = (state.holdMusicFailures ?? 0) >= flow.holdMusicUrls(state.queueId ?? '').length;
            const hearing = state.holdMusicPlaying === true || state.pendingOperation !== undefined || noMusicLeft;
            expect({ after: event.kind, hearing }).toEqual({ after: event.kind, hearing: true });
          }
        };
        while (media.length > 0 && state.stage !== 'queued') apply(media.shift() as CallEvent);
        expect(state.stage).toBe('queued');
        for (const happening of happenings) {
          if (state.stage === 'ended' || state.stage === 'connected' || state.stage === 'callbackPending') break;
          // Media outcomes due so far arrive first, or after this happening.
          while (mediaFirst[step++ % mediaFirst.length] && media.length > 0) apply(media.shift() as CallEvent);
          const queueId = state.queueId ?? 'billing';
          switch (happening.kind) {
            case 'position':
              apply({ ...eventBase(now), kind: 'QueuePositionAnnounced', position: happening.position, expectedWaitInSeconds: happening.waitInSeconds });
              break;
            case 'callbackOffered':
              apply({ ...eventBase(now), kind: 'CallbackOffered', expectedWaitInSeconds: 900 });
              break;
            case 'overflow': {
              const action = happening.action === 'queue' ? { kind: 'queue' as const, queueId: 'retention' } : happening.action === 'disconnect' ? { kind: 'disconnect' as const, message: 'noAgents' } : { kind: happening.action };
              apply({ ...eventBase(now), kind: 'QueueOverflowed', queueId, reason: 'maxWait', action });
              break;
            }
            case 'agentJoins':
              apply({ ...eventBase(now, offerOperationContext(`o${++offers}`, 'ava')), kind: 'ParticipantAdded', participantRawId: '8:orgid:ava' });
              break;
            case 'agentMisses':
              apply({ ...eventBase(now, offerOperationContext(`o${++offers}`, 'ava')), kind: 'AddParticipantFailed', participantRawId: '8:orgid:ava', code: 408, subCode: 0, message: 'no answer' });
              break;
            case 'routingUnavailable':
              apply({ ...eventBase(now), kind: 'RoutingUnavailable', reason: 'Service Bus refused', failed: true });
              break;
            case 'caller':
              if (happening.move.kind === 'hangUp') apply({ ...eventBase(now), kind: 'CallDisconnected' });
              else if (waiting !== undefined) {
                const question = waiting;
                waiting = undefined;
                apply(recognized(question, happening.move, now));
              }
              break;
          }
        }
        while (media.length > 0 && state.stage !== 'ended') apply(media.shift() as CallEvent);
      }),
      flowPropertyRuns,
    );
  });
});
