import { assertNever } from '../assert-never.js';
import type { CallCommand, Prompt } from './call-commands.js';
import type { CallEvent } from './call-events.js';
import { callStateSchemaVersion, type CallStage, type CallState, type Decision, type HistoryEntry } from './call-state.js';

/** The parts of the contact-center configuration this decider reads. */
export interface CallFlow {
  readonly defaultLanguage: string;
  readonly greeting: (language: string) => Prompt;
}

export interface NewCall {
  readonly callId: string;
  readonly callerId: string;
  readonly calledNumber: string;
}

export function startCall(flow: CallFlow, call: NewCall, now: Date): CallState {
  return {
    schemaVersion: callStateSchemaVersion,
    callId: call.callId,
    stage: 'answering',
    callConnectionId: undefined,
    language: flow.defaultLanguage,
    operationSequence: 0,
    pendingOperation: undefined,
    startedAt: now.toISOString(),
    endedAt: undefined,
    pii: { callerId: call.callerId, calledNumber: call.calledNumber },
  };
}

/** The call flow as a pure function: (state, event, now) -> { state, commands, history }. */
export function decideCall(flow: CallFlow, state: CallState, event: CallEvent, now: Date): Decision {
  const seen: HistoryEntry = { kind: 'event', event };
  if (state.stage === 'ended') return ignore(state, event, 'ended');
  if (isMediaOutcome(event) && event.operationContext !== state.pendingOperation) {
    return ignore(state, event, 'stale');
  }
  switch (event.kind) {
    case 'CallConnected': {
      if (state.stage !== 'answering') return { state, commands: [], history: [seen] };
      const connected = { ...state, callConnectionId: event.callConnectionId };
      return withHistory(seen, play(connected, 'greeting', flow.greeting(state.language)));
    }
    case 'PlayCompleted':
    case 'PlayFailed':
    case 'PlayCanceled':
      return withHistory(seen, hangUp(state));
    case 'CallDisconnected':
      return {
        state: { ...state, stage: 'ended', pendingOperation: undefined, endedAt: now.toISOString() },
        commands: [],
        history: [seen, stageChange(state.stage, 'ended')],
      };
    case 'SpeechRecognized':
    case 'KeysPressed':
    case 'ChoiceRecognized':
    case 'RecognitionTimedOut':
    case 'RecognitionFailed':
    case 'RecognitionCanceled':
    case 'ActionCompleted':
    case 'ParticipantsUpdated':
      return { state, commands: [], history: [seen] };
    case 'UnknownCallEvent':
      return ignore(state, event, 'unknown');
    default:
      return assertNever(event, 'call event');
  }
}

function isMediaOutcome(event: CallEvent): boolean {
  switch (event.kind) {
    case 'PlayCompleted':
    case 'PlayFailed':
    case 'PlayCanceled':
    case 'SpeechRecognized':
    case 'KeysPressed':
    case 'ChoiceRecognized':
    case 'RecognitionTimedOut':
    case 'RecognitionFailed':
    case 'RecognitionCanceled':
      return true;
    default:
      return false;
  }
}

function play(state: CallState, stage: CallStage, prompt: Prompt): Decision {
  const operationSequence = state.operationSequence + 1;
  const operationContext = `${stage}:${operationSequence}`;
  const command: CallCommand = { kind: 'PlayPrompt', prompt, operationContext };
  return {
    state: { ...state, stage, operationSequence, pendingOperation: operationContext },
    commands: [command],
    history: [...stageHistory(state.stage, stage), { kind: 'command', command }],
  };
}

function hangUp(state: CallState): Decision {
  const command: CallCommand = { kind: 'HangUp' };
  return {
    state: { ...state, stage: 'ending', pendingOperation: undefined },
    commands: [command],
    history: [...stageHistory(state.stage, 'ending'), { kind: 'command', command }],
  };
}

function ignore(state: CallState, event: CallEvent, why: 'stale' | 'unknown' | 'ended'): Decision {
  return { state, commands: [], history: [{ kind: 'event', event, ignored: why }] };
}

function withHistory(first: HistoryEntry, decision: Decision): Decision {
  return { ...decision, history: [first, ...decision.history] };
}

function stageChange(from: CallStage, to: CallStage): HistoryEntry {
  return { kind: 'stageChanged', from, to };
}

function stageHistory(from: CallStage, to: CallStage): HistoryEntry[] {
  return from === to ? [] : [stageChange(from, to)];
}
