import { assertNever } from '../assert-never.js';
import { slotsOf, type AfterHours, type AssistantFlow, type EscalationTarget, type MenuWords, type IntentDefinition, type PromptKey, type SlotDefinition, type Understanding } from './assistant-flow.js';
import type { CallCommand, Choice, HandOffContext, Prompt, RecognitionMode } from './call-commands.js';
import type { ActionSpeech, CallEvent } from './call-events.js';
import { joinPrompts, wordsOf } from './join-prompts.js';
import { offerOperationContext, parseOfferOperationContext } from './offer-operation-context.js';
import { recordedCommand, recordedEvent } from './recorded-history.js';
import { callStateSchemaVersion, type CallStage, type CallState, type Decision, type HistoryEntry } from './call-state.js';
import { readSpokenDate, spokenDate, spokenMoment, todayIn } from './spoken-date.js';
import { spokenDigits } from './spoken-digits.js';

export interface NewCall {
  readonly callId: string;
  readonly callerId: string;
  readonly calledNumber: string;
}

const transcriptLimit = 60;

export function startCall(flow: Pick<AssistantFlow, 'defaultLanguage' | 'line'>, call: NewCall, now: Date): CallState {
  return {
    schemaVersion: callStateSchemaVersion,
    callId: call.callId,
    stage: 'answering',
    callConnectionId: undefined,
    language: flow.line(call.calledNumber).language,
    operationSequence: 0,
    pendingOperation: undefined,
    retries: 0,
    intent: undefined,
    confidence: undefined,
    clarifyBetween: [],
    slotIndex: 0,
    actionId: undefined,
    queueId: undefined,
    agent: undefined,
    endReason: undefined,
    startedAt: now.toISOString(),
    endedAt: undefined,
    pii: { callerId: call.callerId, calledNumber: call.calledNumber, transcript: [], slots: {} },
  };
}

/** Times a call may move to another intent from a slot question (see anotherIntent). */
const maxIntentChanges = 2;

/**
 * The call and its virtual assistant as a pure function: (state, event, now) -> { state, commands,
 * history }. Never dead air: every branch either asks, plays, hands to a person or hangs up.
 */
export function decideCall(flow: AssistantFlow, state: CallState, event: CallEvent, now: Date): Decision {
  // The agent's account of the call, or where a recording of it is stored: recorded whenever it
  // comes, usually after the call ended.
  if (event.kind === 'DispositionRecorded' || event.kind === 'RecordingFileAvailable') return { state, commands: [], history: [{ kind: 'event', event: recordedEvent(event) }] };
  if (state.stage === 'ended') return refusedAgentRequest(state, event, ignore(state, event, 'ended'));
  if (event.kind === 'UnknownCallEvent') return ignore(state, event, 'unknown');
  if (event.kind === 'CallDisconnected') {
    if (state.stage === 'ending' && state.endReason === 'callbackRequested') return awaitCallback(state, event);
    if (state.stage === 'callbackPending') return ignore(state, event, 'stale');
    if (state.stage === 'callingBack') return new Step(flow, state, now).callbackNotAnswered(event);
    return callerLeft(state, event, now);
  }
  // A snapshot of who is on the call older than one applied (a retried callback) would bring back
  // someone who left, or take away someone who joined since: an agent would seem to hang up.
  if (event.kind === 'ParticipantsUpdated' && event.sequenceNumber !== undefined && state.participantsSequence !== undefined && event.sequenceNumber <= state.participantsSequence) {
    return ignore(state, event, 'stale');
  }
  // A music file that failed after an announcement took over still counts against the file.
  const musicFailed = event.kind === 'PlayFailed' && state.stage === 'queued' && event.operationContext !== undefined && event.operationContext === state.holdMusicOperation;
  if (isMediaOutcome(event) && event.operationContext !== state.pendingOperation && !musicFailed) return ignore(state, event, 'stale');
  if ((event.kind === 'ActionCompleted' || event.kind === 'ActionSlow') && (state.stage !== 'runningAction' || event.actionId !== state.actionId)) {
    return ignore(state, event, 'stale');
  }
  const step = new Step(flow, state, now);
  step.record({ kind: 'event', event: recordedEvent(maskedEvent(flow, state, event)) });
  switch (event.kind) {
    case 'CallConnected':
      if (state.stage === 'callingBack') return step.calledBack(event.callConnectionId, event.correlationId);
      return state.stage === 'answering' ? step.connected(event.callConnectionId) : step.done();
    case 'SpeechRecognized':
      return step.heard({ input: 'speech', text: event.text, confidence: event.confidence, understanding: event.understanding });
    case 'KeysPressed':
      return step.heard({ input: 'dtmf', text: event.tones, confidence: undefined });
    case 'ChoiceRecognized':
      return step.chose(event.label, event.phrase);
    case 'RecognitionTimedOut':
      return step.noInput();
    case 'RecognitionFailed':
      return step.noMatch();
    case 'RecognitionNotStarted':
      return step.questionNotStarted();
    case 'RecognitionCanceled':
    case 'PlayCanceled':
      return step.done();
    case 'PlayCompleted':
      if (state.stage === 'ending') return step.hangUp();
      return state.stage === 'queued' ? step.holdMusic() : step.done();
    case 'PlayFailed':
      if (state.stage === 'ending') return step.hangUp();
      return state.stage === 'queued' ? step.queuedPlayFailed(event.operationContext) : step.done();
    case 'ActionSlow':
      return step.filler();
    case 'ActionCompleted':
      return step.actionCompleted(event.result);
    case 'RoutingUnavailable':
      return step.routingUnavailable(event.reason, event.failed === true);
    case 'ParticipantsUpdated':
      return step.participantsChanged(event.participantIds, event.sequenceNumber);
    case 'QueuePositionAnnounced':
      return state.stage === 'queued' ? step.announcePosition(event.position, event.expectedWaitInSeconds) : step.done();
    case 'QueueOverflowed':
      return state.stage === 'queued' && state.queueId === event.queueId ? step.overflow(event.action, event.reason) : step.done();
    case 'RecordingStarted':
      return event.operationContext?.startsWith('agentCall:') ? step.agentCallRecorded(event.recordingId) : step.recordingStarted(event.recordingId);
    case 'RecordingNotStarted':
      // A conversation that cannot be recorded goes on unrecorded (the event stays in history).
      if (event.operationContext?.startsWith('agentCall:')) return step.done();
      return state.stage === 'voicemail' && state.recordingId === undefined ? step.voicemailUnavailable() : step.done();
    case 'CallbackOffered':
      return state.stage === 'queued' && state.callback === undefined ? step.offerCallback() : step.done();
    case 'CallbackDue':
      if (state.stage === 'callbackPending') return step.callBack(event);
      // The caller answered the callback and its agent missed: the next one routing reserves is rung into the call.
      return state.stage === 'queued' && state.callConnectionId !== undefined ? step.ringCallbackAgent(event) : step.done();
    case 'CallNotAnswered':
      return state.stage === 'callingBack' ? step.callbackNotAnswered() : step.done();
    case 'ConsultRequested':
      return state.stage === 'connected' && !state.phoneTransfer ? step.consult(event.agentId, event.teamsUserId) : refusedAgentRequest(state, event, step.done());
    case 'TransferRequested':
      // One transfer at a time: a number being rung answers or fails first.
      return state.stage === 'connected' && !state.phoneTransfer ? step.transfer(event.target) : refusedAgentRequest(state, event, step.done());
    case 'ParticipantAdded':
      return step.agentJoined(event.operationContext, event.participantRawId);
    case 'AddParticipantFailed':
      return step.agentMissed(event.operationContext, event.code);
    case 'CallTransferAccepted':
      return state.phoneTransfer?.operationContext === event.operationContext ? step.phoneTransferAccepted() : step.done();
    case 'CallTransferFailed':
      return state.phoneTransfer?.operationContext === event.operationContext ? step.phoneTransferFailed() : step.done();
    default:
      return assertNever(event, 'call event');
  }
}

/**
 * A consult or transfer the call can no longer act on (the caller hung up, the call left the agent,
 * a number rings for the caller) is recorded as refused, with why, for the agent API to answer. The
 * agent API takes an expert or a transfer's agent (counted against their capacity) before the call
 * hears of it: that agent is given back to routing, or they would stay busy with a call they never
 * joined.
 */
function refusedAgentRequest(state: CallState, event: CallEvent, decision: Decision): Decision {
  if (event.kind !== 'ConsultRequested' && event.kind !== 'TransferRequested') return decision;
  const refused: HistoryEntry = { kind: 'requestRefused', request: event.kind === 'ConsultRequested' ? 'consult' : 'transfer', reason: whyNotActionable(state) };
  const agentId = event.kind === 'ConsultRequested' ? event.agentId : event.target.kind === 'agent' ? event.target.agentId : undefined;
  if (agentId === undefined) return { ...decision, history: [...decision.history, refused] };
  const purpose = event.kind === 'ConsultRequested' ? 'consult' : 'transfer';
  const release: CallCommand = { kind: 'NotifyRouting', outcome: 'callEnded', queueId: state.queueId ?? '', offerId: `${purpose}:${agentId}`, agentId };
  return { ...decision, commands: [...decision.commands, release], history: [...decision.history, refused, { kind: 'command', command: recordedCommand(release) }] };
}

function whyNotActionable(state: CallState): string {
  if (state.stage === 'ended' || state.stage === 'ending') return 'the call has ended';
  if (state.phoneTransfer) return 'the call is being transferred to a phone number';
  return `the call is ${state.stage}, not connected to an agent`;
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
    case 'RecognitionNotStarted':
      return true;
    default:
      return false;
  }
}

function ignore(state: CallState, event: CallEvent, why: 'stale' | 'unknown' | 'ended'): Decision {
  return { state, commands: [], history: [{ kind: 'event', event: recordedEvent(event), ignored: why }] };
}

/** The caller hung up after choosing a callback: the call waits, without a connection, for its turn. */
function awaitCallback(state: CallState, event: CallEvent): Decision {
  return {
    state: { ...state, stage: 'callbackPending', callConnectionId: undefined, pendingOperation: undefined },
    commands: [],
    history: [{ kind: 'event', event: recordedEvent(event) }, { kind: 'stageChanged', from: state.stage, to: 'callbackPending' }],
  };
}

function callerLeft(state: CallState, event: CallEvent, now: Date): Decision {
  const reason =
    state.stage === 'ending' || state.stage === 'connected' || state.stage === 'voicemail' ? state.endReason ?? 'completed' : 'callerHungUp';
  const commands: CallCommand[] = [];
  if (state.stage === 'queued' && state.queueId) commands.push({ kind: 'CancelRouting', queueId: state.queueId, reason: 'callerHungUp' });
  if (state.stage === 'connected' && state.queueId && state.agent) {
    commands.push({ kind: 'NotifyRouting', outcome: 'callEnded', queueId: state.queueId, offerId: state.agent.offerId, agentId: state.agent.agentId, wrapUp: true });
  }
  for (const c of state.consultants ?? []) {
    commands.push({ kind: 'NotifyRouting', outcome: 'callEnded', queueId: state.queueId ?? '', offerId: `${c.purpose}:${c.agentId}`, agentId: c.agentId });
  }
  return {
    state: { ...state, stage: 'ended', pendingOperation: undefined, endReason: reason, endedAt: now.toISOString(), pii: { ...state.pii, slots: {}, question: undefined } },
    commands,
    history: [
      { kind: 'event', event: recordedEvent(event) },
      { kind: 'stageChanged', from: state.stage, to: 'ended' },
      ...commands.map((command): HistoryEntry => ({ kind: 'command', command: recordedCommand(command) })),
      { kind: 'callEnded', reason },
    ],
  };
}

function currentSlot(flow: AssistantFlow, state: CallState): SlotDefinition | undefined {
  const intent = state.intent === undefined ? undefined : flow.intents.get(state.intent);
  return intent ? slotsOf(intent.outcome)[state.slotIndex] : undefined;
}

function maskedEvent(flow: AssistantFlow, state: CallState, event: CallEvent): CallEvent {
  const slot = state.stage === 'collectingSlot' ? currentSlot(flow, state) : undefined;
  if (!slot?.mask) return event;
  if (event.kind === 'KeysPressed') return { ...event, tones: '*'.repeat(event.tones.length) };
  if (event.kind === 'SpeechRecognized') return { ...event, text: '*'.repeat(event.text.length) };
  return event;
}

/** `8:orgid:<id>` → `<id>`: Teams users are known by their Entra object id. */
function teamsUserIdOf(rawId: string): string {
  return rawId.replace(/^8:(orgid|teamsvisitor|gcch|dod):/, '');
}

function invitationContext(purpose: 'consult' | 'transfer', agentId: string): string {
  return `${purpose}|${encodeURIComponent(agentId)}`;
}

function parseInvitationContext(operationContext: string | undefined): { purpose: 'consult' | 'transfer'; agentId: string } | undefined {
  const match = /^(consult|transfer)\|(.+)$/.exec(operationContext ?? '');
  return match?.[1] && match[2] ? { purpose: match[1] as 'consult' | 'transfer', agentId: decodeURIComponent(match[2]) } : undefined;
}


/** One decision being built: the state evolves, commands and history accumulate in order. */
class Step {
  private readonly commands: CallCommand[] = [];
  private readonly history: HistoryEntry[] = [];

  constructor(
    private readonly flow: AssistantFlow,
    private state: CallState,
    private readonly now: Date,
  ) {}

  record(entry: HistoryEntry): void {
    this.history.push(entry);
  }

  /** Menu words in the caller's language. */
  private get words(): MenuWords {
    return this.flow.menuWords(this.state.language);
  }

  /** Spoken or keyed: the callback offers (in the queue, and after hours). */
  private callbackChoice(): Choice {
    return { label: 'callback', phrases: [...this.words.callback, ...this.words.yes], tone: '1' };
  }

  /**
   * A caller who asks for a person while answering an intent's questions goes where that intent
   * was headed (a tech-support caller to tech support, not to the general line); elsewhere, and for
   * self-service, to the config's person target.
   */
  private toPerson(reason: string): Decision {
    const answering = this.state.stage === 'collectingSlot' || this.state.stage === 'confirmingSlot';
    const intent = answering && this.state.intent !== undefined ? this.flow.intents.get(this.state.intent) : undefined;
    return this.escalate(intent?.outcome.kind === 'escalate' ? intent.outcome.target : this.flow.personTarget, reason);
  }

  /** Yes (1) or no (2), and 0 for a person as everywhere else. */
  private yesNoChoices(): Choice[] {
    return [
      { label: 'yes', phrases: this.words.yes, tone: '1' },
      { label: 'no', phrases: this.words.no, tone: '2' },
      { label: 'person', phrases: this.words.person, tone: this.flow.personKey },
    ];
  }

  done(): Decision {
    return { state: this.state, commands: this.commands, history: this.history };
  }

  connected(callConnectionId: string): Decision {
    this.state = { ...this.state, callConnectionId };
    const line = this.flow.line(this.state.pii.calledNumber);
    const closed = this.flow.lineClosed(this.state.pii.calledNumber, this.now);
    if (closed) return this.closedFor(closed, line.queue ? { ...line.queue, requiredSkills: [] } : this.flow.personTarget, 'the line is closed');
    if (line.queue) {
      return this.escalate({ queueId: line.queue.queueId, priority: line.queue.priority, requiredSkills: [] }, `dialled the ${line.queue.queueId} line`, this.greeting());
    }
    if (this.flow.languages.length > 1 && line.languageMenu) {
      const choices: Choice[] = this.flow.languages.map((l) => ({ label: l.code, phrases: [l.spokenName, l.code], tone: l.dtmfKey }));
      if (!this.flow.languages.some((l) => l.dtmfKey === this.flow.personKey)) {
        const phrases = [...new Set(this.flow.languages.flatMap((l) => this.flow.menuWords(l.code).person))];
        choices.push({ label: 'person', phrases, tone: this.flow.personKey });
      }
      return this.ask('languageMenu', this.prompt('languageMenu'), { kind: 'choices', choices });
    }
    return this.askOpenQuestion(joinPrompts(this.greeting(), this.prompt('openQuestion')), this.prompt('openQuestion'));
  }

  heard(turn: { input: 'speech' | 'dtmf'; text: string; confidence: number | undefined; understanding?: Understanding | undefined }): Decision {
    const slot = this.state.stage === 'collectingSlot' ? currentSlot(this.flow, this.state) : undefined;
    const shown = slot?.mask ? '*'.repeat(turn.text.length) : turn.text;
    this.record({ kind: 'callerTurn', input: turn.input, confidence: turn.confidence, pii: { text: shown } });
    this.addTranscript(`Caller: ${turn.input === 'dtmf' ? `pressed ${shown}` : shown}`);
    if (this.state.stage === 'voicemail') return this.voicemailDone();
    if (this.asksToRepeat(turn.input, turn.text)) return this.repeatQuestion();
    // "Agent, please" instead of a slot's value: as if they had pressed 0.
    if (this.state.stage === 'collectingSlot' && turn.input === 'speech' && isPhraseAlone(turn.text, this.words.person, personRequestWords)) {
      return this.toPerson('caller asked for a person');
    }
    // "Start over" instead of a slot's value: back to the open question, counted as a change of mind.
    if (this.state.stage === 'collectingSlot' && turn.input === 'speech' && (this.state.intentChanges ?? 0) < maxIntentChanges && isPhraseAlone(turn.text, this.words.startOver, politeWords)) {
      this.record({ kind: 'intentDecision', intent: null, confidence: 1, verdict: 'startOver' });
      this.state = { ...this.state, intent: undefined, confidence: undefined, slotIndex: 0, intentChanges: (this.state.intentChanges ?? 0) + 1, pii: { ...this.state.pii, slots: {} } };
      return this.askOpenQuestion(this.prompt('openQuestion'));
    }
    if (turn.input === 'dtmf' && turn.text === this.flow.personKey && !(slot && slot.type === 'digits' && slot.minLength <= 1)) {
      return this.toPerson('caller pressed 0 for a person');
    }
    switch (this.state.stage) {
      case 'understanding':
      case 'anythingElse':
        if (this.state.stage === 'anythingElse' && turn.input === 'speech') {
          // "No thanks, bye" ends the call; "no, actually I want to pay my bill" is a new request.
          const rest = restAfterPhrase(turn.text, this.words.no);
          if (rest !== undefined && rest.split(' ').every((w) => w === '' || closingWords.has(w))) return this.endWith('goodbye', 'completed');
          if (rest !== undefined) return this.understand(rest, turn.understanding);
        }
        return turn.input === 'dtmf' ? this.keypadChoice(turn.text) : this.understand(turn.text, turn.understanding);
      case 'collectingSlot':
        return slot ? this.slotValue(slot, turn.text, turn.input) : this.done();
      case 'clarifying':
        return this.clarified(turn.input, turn.text, turn.understanding);
      case 'confirmingIntent':
      case 'confirmingSlot':
      case 'languageMenu':
      case 'closed':
        return this.noMatch();
      case 'answering':
      case 'runningAction':
      case 'escalating':
      case 'queued':
      case 'connected':
      case 'ending':
      case 'callbackPending':
      case 'callingBack':
      case 'ended':
        return this.done();
      default:
        return assertNever(this.state.stage, 'stage');
    }
  }

  chose(label: string, phrase: string | undefined): Decision {
    const chosen = phrase ?? `${this.optionName(label)} (keypad)`;
    this.record({ kind: 'callerTurn', input: 'choice', confidence: undefined, pii: { text: chosen } });
    this.addTranscript(`Caller: ${chosen}`);
    if (label === repeatLabel) return (this.state.repeats ?? 0) < maxRepeats && this.state.pii.question ? this.repeatQuestion() : this.noMatch();
    switch (this.state.stage) {
      case 'languageMenu':
        if (label === 'person') return this.escalate(this.flow.personTarget, 'caller pressed 0 for a person');
        this.state = { ...this.state, language: this.flow.languages.some((l) => l.code === label) ? label : this.state.language };
        return this.askOpenQuestion(joinPrompts(this.greeting(), this.prompt('openQuestion')), this.prompt('openQuestion'));
      case 'clarifying': {
        if (label === 'person') return this.escalate(this.flow.personTarget, 'caller asked for a person');
        const intent = this.flow.intents.get(label);
        if (!intent) return this.noMatch();
        this.record({ kind: 'intentDecision', intent: label, confidence: this.state.confidence ?? 0, verdict: 'accepted' });
        return this.act(intent);
      }
      case 'collectingSlot': {
        if (label === 'person') return this.toPerson('caller asked for a person');
        const slot = currentSlot(this.flow, this.state);
        if (!slot) return this.done();
        // A yes/no slot is asked as choices: the answer arrives as the choice's label.
        return slot.type === 'yesNo' && (label === 'yes' || label === 'no') ? this.keepSlot(slot, label) : this.noMatch();
      }
      case 'confirmingSlot': {
        if (label === 'person') return this.toPerson('caller asked for a person');
        const slot = currentSlot(this.flow, this.state);
        if (!slot) return this.done();
        if (label === 'yes') return this.nextSlot();
        return this.askSlot(slot, this.state.retries + 1);
      }
      case 'queued':
        return label === 'callback' ? this.callbackChosen() : this.holdMusic();
      case 'closed':
        if (label === 'callback') return this.callbackWhenOpen();
        return label === 'voicemail' && this.state.callbackWhenOpen?.voicemail ? this.startVoicemail(undefined) : this.endWith('goodbye', 'afterHours');
      case 'confirmingIntent': {
        if (label === 'person') return this.escalate(this.flow.personTarget, 'caller asked for a person');
        const intent = this.state.intent === undefined ? undefined : this.flow.intents.get(this.state.intent);
        if (!intent) return this.noMatch();
        if (label === 'yes') return this.act(intent, true);
        // Not that, then: whatever else they want, or "no thanks" to end the call politely.
        this.state = { ...this.state, intent: undefined };
        return this.ask('anythingElse', this.prompt('anythingElse'), { kind: 'speechOrDtmf', maxTonesToCollect: 1 });
      }
      default:
        return this.noMatch();
    }
  }

  noInput(): Decision {
    return this.retryOrEscalate('noInput');
  }

  noMatch(): Decision {
    return this.retryOrEscalate('noMatch');
  }

  filler(): Decision {
    // The filler's own outcome is not awaited: the action's result is.
    const operationContext = `filler:${this.state.operationSequence + 1}`;
    this.state = { ...this.state, operationSequence: this.state.operationSequence + 1 };
    this.command({ kind: 'PlayPrompt', prompt: this.prompt('filler'), operationContext });
    return this.done();
  }

  actionCompleted(result: Extract<CallEvent, { kind: 'ActionCompleted' }>['result']): Decision {
    this.record({ kind: 'actionResult', actionId: this.state.actionId ?? '', status: result.status, ...(result.status === 'failed' ? { reason: result.reason } : {}) });
    if (result.status === 'retry') return this.retryAction(result);
    this.state = { ...this.state, actionId: undefined, actionAttempts: undefined, pii: { ...this.state.pii, slots: {} } };
    switch (result.status) {
      case 'succeeded':
      case 'notFound': {
        this.state = { ...this.state, retries: 0 };
        return this.ask('anythingElse', joinPrompts(this.spoken(result.say), this.prompt('anythingElse')), { kind: 'speechOrDtmf', maxTonesToCollect: 1 });
      }
      case 'failed':
      case 'timedOut': {
        const intent = this.state.intent === undefined ? undefined : this.flow.intents.get(this.state.intent);
        this.say(this.prompt('actionFailed'));
        return this.escalate(intent?.outcome.kind === 'escalate' ? intent.outcome.target : this.flow.personTarget, `action ${result.status}`);
      }
      default:
        return assertNever(result, 'action result');
    }
  }

  /**
   * With an agent on the call, the call is over when the caller or the agent leaves: the bot hangs
   * up for everyone (the CallDisconnected that follows frees the agent).
   */
  participantsChanged(participantIds: readonly string[], sequenceNumber: number | undefined): Decision {
    if (sequenceNumber !== undefined) this.state = { ...this.state, participantsSequence: sequenceNumber };
    const present = new Set(participantIds.map(teamsUserIdOf));
    const queueId = this.state.queueId ?? '';
    // Experts who joined and have left again are free for other calls, whatever the call does now.
    for (const c of this.state.consultants ?? []) {
      if (c.joined && !present.has(c.teamsUserId)) this.command({ kind: 'NotifyRouting', outcome: 'callEnded', queueId, offerId: `${c.purpose}:${c.agentId}`, agentId: c.agentId });
    }
    this.state = { ...this.state, consultants: (this.state.consultants ?? []).filter((c) => !c.joined || present.has(c.teamsUserId)) };
    if (this.state.stage !== 'connected') return this.done();
    const agent = this.state.agent;
    if (agent?.teamsUserId && !present.has(agent.teamsUserId)) {
      // The agent left; an expert still on the call takes the call over.
      const successor = (this.state.consultants ?? []).find((c) => c.joined);
      this.command({ kind: 'NotifyRouting', outcome: 'callEnded', queueId, offerId: agent.offerId, agentId: agent.agentId, wrapUp: true });
      this.state = {
        ...this.state,
        agent: successor ? { agentId: successor.agentId, offerId: `consult:${successor.agentId}`, teamsUserId: successor.teamsUserId } : undefined,
        consultants: (this.state.consultants ?? []).filter((c) => c !== successor),
      };
    }
    const callerPresent = participantIds.includes(this.state.pii.callerId);
    const agentPresent = this.state.agent !== undefined && participantIds.some((id) => id.startsWith('8:orgid:') || id.startsWith('8:teamsvisitor:'));
    if (callerPresent && agentPresent) return this.done();
    // A blind transfer: the agent may leave while the number rings; the caller waits for it.
    if (callerPresent && this.state.phoneTransfer) return this.done();
    this.state = { ...this.state, endReason: callerPresent ? 'agentHungUp' : 'callerHungUp' };
    return this.hangUp();
  }

  /**
   * Outside opening hours: the schedule's own message (after `lead`, what led here, such as a failed
   * action), then a callback when it opens (press 1) or a message (press 2) as the schedule offers them.
   */
  private closedFor(closed: AfterHours, target: EscalationTarget | undefined, reason: string, lead?: Prompt): Decision {
    const hours = this.flow.namedPrompt(this.state.language, closed.prompt) ?? this.prompt('afterHours');
    const holiday =
      closed.holidayPrompt === undefined || closed.holiday === undefined
        ? undefined
        : this.flow.namedPrompt(this.state.language, closed.holidayPrompt, { holiday: closed.holiday });
    const closedMessage = holiday ? joinPrompts(holiday, hours) : hours;
    const message = lead ? joinPrompts(lead, closedMessage) : closedMessage;
    if (target !== undefined) this.state = { ...this.state, queueId: target.queueId };
    const offer = closed.callbackPrompt === undefined ? undefined : this.flow.namedPrompt(this.state.language, closed.callbackPrompt);
    if (offer && closed.opensAt !== undefined && target !== undefined && this.callbackNumber() !== undefined) {
      this.stopQueueMedia();
      const confirmation = {
        ...(closed.callbackConfirmedPrompt !== undefined ? { confirmedPrompt: closed.callbackConfirmedPrompt } : {}),
        ...(closed.timeZone !== undefined ? { timeZone: closed.timeZone } : {}),
      };
      this.state = { ...this.state, endReason: 'afterHours', callbackWhenOpen: { target, reason, opensAt: closed.opensAt, voicemail: closed.voicemail, ...confirmation } };
      const choices: Choice[] = [this.callbackChoice()];
      if (closed.voicemail) choices.push({ label: 'voicemail', phrases: this.words.message, tone: '2' });
      return this.ask('closed', joinPrompts(message, offer), { kind: 'choices', choices }, 0);
    }
    if (!closed.voicemail) {
      this.state = { ...this.state, endReason: 'afterHours' };
      this.stopQueueMedia();
      this.play('ending', message);
      return this.done();
    }
    return this.startVoicemail(undefined, message);
  }

  /** A caller leaving the queue stops hearing its music or announcement. */
  private stopQueueMedia(): void {
    if (this.state.stage === 'queued') this.command({ kind: 'CancelMedia' });
  }

  /**
   * The number a callback dials: the caller's own (without an asserted-id suffix), or undefined when
   * they withheld it (`4:anonymous`) or did not call from a phone. Such a caller is never offered one.
   */
  private callbackNumber(): string | undefined {
    return /^4:(\+[1-9]\d{6,14})(?:_|$)/.exec(this.state.pii.callerId)?.[1];
  }

  /** The caller chose a callback when the queue opens: it joins the queue then, with their number. */
  private callbackWhenOpen(): Decision {
    const pending = this.state.callbackWhenOpen;
    const phoneNumber = this.callbackNumber();
    if (!pending || phoneNumber === undefined) return this.endWith('goodbye', 'afterHours');
    const { target } = pending;
    this.command({
      kind: 'ScheduleCallback',
      queueId: target.queueId,
      priority: target.priority,
      requiredSkills: this.skillsFor(target),
      context: this.handOffContext(`${pending.reason}; callback when the queue opens`),
      at: pending.opensAt,
      pii: { phoneNumber },
    });
    this.state = { ...this.state, callbackWhenOpen: undefined, routingTarget: target };
    const opensAt = spokenMoment(pending.opensAt, this.state.language, pending.timeZone ?? 'UTC');
    const confirmed = pending.confirmedPrompt === undefined ? undefined : this.flow.namedPrompt(this.state.language, pending.confirmedPrompt, { opensAt });
    return this.endSaying(confirmed ?? this.prompt('callbackConfirmed'), 'callbackRequested');
  }

  /**
   * The queue takes a message: recording starts, the prompt invites it, # or silence ends it.
   * Without a reason the call is closed for the day (after hours), which is also why it ends.
   */
  private startVoicemail(reason: string | undefined, lead?: Prompt): Decision {
    this.state = { ...this.state, endReason: reason === undefined ? 'afterHours' : `voicemail (${reason})` };
    this.stopQueueMedia();
    // Call Automation records one thing at a time: the conversation's recording stops for the message.
    if (this.state.agentCallRecordingId !== undefined) {
      this.command({ kind: 'StopRecording', recordingId: this.state.agentCallRecordingId });
      this.state = { ...this.state, agentCallRecordingId: undefined };
    }
    const operationContext = `voicemail:${this.state.operationSequence + 1}`;
    this.command({ kind: 'StartRecording', operationContext });
    const invitation = lead ? joinPrompts(lead, this.prompt('voicemailPrompt')) : this.prompt('voicemailPrompt');
    const ask = this.ask('voicemail', invitation, { kind: 'dtmf', maxTonesToCollect: 1, stopTones: ['#'] }, 0);
    const last = this.commands[this.commands.length - 1];
    if (last?.kind === 'StartRecognition') {
      this.commands[this.commands.length - 1] = { ...last, initialSilenceTimeoutInSeconds: this.flow.maxVoicemailInSeconds, interruptPrompt: false };
    }
    return ask;
  }

  recordingStarted(recordingId: string): Decision {
    this.state = { ...this.state, recordingId };
    this.record({ kind: 'voicemailRecorded', queueId: this.state.queueId ?? '', recordingId });
    return this.done();
  }

  /**
   * The recording could not be started: the caller is not left talking to nobody, nor thanked for a
   * message nobody kept. The invitation stops; nobody being available is said, and the call ends.
   */
  voicemailUnavailable(): Decision {
    this.command({ kind: 'CancelMedia' });
    const sorry = this.flow.namedPrompt(this.state.language, 'voicemailUnavailable');
    return this.endSaying(sorry ? joinPrompts(sorry, this.prompt('noAgents')) : this.prompt('noAgents'), 'voicemailUnavailable');
  }

  /** The message is over (# or the time limit): stop recording, thank the caller, hang up. */
  voicemailDone(): Decision {
    if (this.state.recordingId) this.command({ kind: 'StopRecording', recordingId: this.state.recordingId });
    return this.endWith('voicemailSaved', this.state.endReason ?? 'voicemail');
  }

  offerCallback(): Decision {
    // Nobody to call back: the caller keeps their place, and the music plays on.
    if (this.callbackNumber() === undefined) return this.done();
    this.command({ kind: 'CancelMedia' });
    this.state = { ...this.state, holdMusicPlaying: false };
    const choices: Choice[] = [this.callbackChoice(), { label: 'wait', phrases: [...this.words.wait, ...this.words.no], tone: '2' }];
    return this.ask('queued', this.prompt('callbackOffer'), { kind: 'choices', choices }, 0);
  }

  private callbackChosen(): Decision {
    const queueId = this.state.queueId;
    const phoneNumber = this.callbackNumber();
    if (!queueId || phoneNumber === undefined) return this.done();
    this.command({ kind: 'RequestCallback', queueId, pii: { phoneNumber } });
    return this.endWith('callbackConfirmed', 'callbackRequested');
  }

  /** The callback's turn: dial the caller; the reserved agent is added once they answer. */
  callBack(due: Extract<CallEvent, { kind: 'CallbackDue' }>): Decision {
    const ring = due.ringTimeInSeconds === undefined ? {} : { ringTimeInSeconds: due.ringTimeInSeconds };
    this.state = { ...this.state, callback: { offerId: due.offerId, agentId: due.agentId, teamsUserId: due.teamsUserId, ...ring }, endReason: undefined };
    this.moveTo('callingBack');
    this.command({ kind: 'CreateCall', fromNumber: this.state.pii.calledNumber, operationContext: `callback|${due.offerId}`, pii: { phoneNumber: due.phoneNumber } });
    return this.done();
  }

  /** The caller answered the callback: tell them, and ring the reserved agent in. */
  calledBack(callConnectionId: string, correlationId: string | undefined): Decision {
    const callback = this.state.callback;
    if (!callback) return this.done();
    // A new call connection: its participant snapshots are numbered from the start again.
    this.state = { ...this.state, callConnectionId, callback: undefined, participantsSequence: undefined };
    // Events about the new call that name only its own id (a recording's file) find this call by it.
    if (correlationId !== undefined) this.state = { ...this.state, callbackCorrelationIds: [...(this.state.callbackCorrelationIds ?? []), correlationId] };
    this.play('queued', this.prompt('callbackConnecting'));
    if (this.state.queueId) this.command({ kind: 'CallbackAnswered', queueId: this.state.queueId });
    return this.ringReservedAgent(callback);
  }

  /**
   * Routing still treats a callback as off the line after the caller answered (it dials a callback
   * for each agent it reserves), so the next agent reserved after a miss arrives as CallbackDue:
   * the caller is on the line, so they are rung into the call, not dialled again.
   */
  ringCallbackAgent(due: Extract<CallEvent, { kind: 'CallbackDue' }>): Decision {
    return this.ringReservedAgent(due);
  }

  /** The agent routing reserved for a callback is rung into the call, for the queue's ring time. */
  private ringReservedAgent(agent: { readonly teamsUserId: string; readonly offerId: string; readonly agentId: string; readonly ringTimeInSeconds?: number | undefined }): Decision {
    this.command({
      kind: 'AddTeamsUser',
      teamsUserId: agent.teamsUserId,
      operationContext: offerOperationContext(agent.offerId, agent.agentId),
      ...(agent.ringTimeInSeconds === undefined ? {} : { ringTimeInSeconds: agent.ringTimeInSeconds }),
    });
    return this.done();
  }

  callbackNotAnswered(event?: CallEvent): Decision {
    const queueId = this.state.queueId ?? '';
    const callback = this.state.callback;
    if (event) this.record({ kind: 'event', event: recordedEvent(event) });
    this.command({ kind: 'NotifyRouting', outcome: 'callbackFailed', queueId, offerId: callback?.offerId ?? '', agentId: callback?.agentId ?? '' });
    // Not answered, busy, declined or refused: the callback joins its queue again later, a few times.
    const attempts = (this.state.callbackAttempts ?? 0) + 1;
    const target = this.state.routingTarget ?? (queueId ? { queueId, priority: 0, requiredSkills: [] } : undefined);
    const phoneNumber = this.callbackNumber();
    const retries = target ? this.flow.callbackRetries(target.queueId) : undefined;
    if (retries && attempts < retries.attempts && target && phoneNumber !== undefined) {
      // A new request id: Service Bus would drop a message id it has seen (the first booking's).
      this.state = { ...this.state, operationSequence: this.state.operationSequence + 1 };
      this.command({
        kind: 'ScheduleCallback',
        queueId: target.queueId,
        priority: target.priority,
        requiredSkills: this.skillsFor(target),
        context: this.handOffContext(`callback not answered ${attempts} of ${retries.attempts} times; dialled again`),
        at: new Date(this.now.getTime() + retries.retryDelayInSeconds * 1000).toISOString(),
        pii: { phoneNumber },
        attempt: attempts + 1,
      });
      this.state = { ...this.state, callback: undefined, callbackAttempts: attempts, callConnectionId: undefined, endReason: 'callbackRequested' };
      this.moveTo('callbackPending');
      return this.done();
    }
    this.state = { ...this.state, callback: undefined, endReason: 'callbackNotAnswered', endedAt: this.now.toISOString(), callConnectionId: undefined };
    this.moveTo('ended');
    this.record({ kind: 'callEnded', reason: 'callbackNotAnswered' });
    return this.done();
  }

  /** A subject-matter expert is rung into the call (a conference: the agent stays). */
  consult(agentId: string, teamsUserId: string): Decision {
    this.state = { ...this.state, consultants: [...(this.state.consultants ?? []), { agentId, teamsUserId, purpose: 'consult', joined: false }] };
    this.command({ kind: 'AddTeamsUser', teamsUserId, operationContext: invitationContext('consult', agentId) });
    return this.done();
  }

  transfer(target: Extract<CallEvent, { kind: 'TransferRequested' }>['target']): Decision {
    const agent = this.state.agent;
    const queueId = this.state.queueId ?? '';
    switch (target.kind) {
      case 'agent':
        // The new agent is rung first; the current one leaves once they have joined.
        this.state = { ...this.state, consultants: [...(this.state.consultants ?? []), { agentId: target.agentId, teamsUserId: target.teamsUserId, purpose: 'transfer', joined: false }] };
        this.command({ kind: 'AddTeamsUser', teamsUserId: target.teamsUserId, operationContext: invitationContext('transfer', target.agentId) });
        return this.done();
      case 'queue': {
        if (agent) {
          this.state = { ...this.state, agent: undefined };
          this.command({ kind: 'NotifyRouting', outcome: 'callEnded', queueId, offerId: agent.offerId, agentId: agent.agentId, wrapUp: true });
          if (agent.teamsUserId) this.command({ kind: 'RemoveTeamsUser', teamsUserId: agent.teamsUserId, operationContext: `transfer:${agent.agentId}` });
        }
        // Experts in the conference leave with the agent; one still ringing is let go if they answer.
        for (const c of (this.state.consultants ?? []).filter((c) => c.joined)) {
          this.command({ kind: 'NotifyRouting', outcome: 'callEnded', queueId, offerId: `${c.purpose}:${c.agentId}`, agentId: c.agentId });
          this.command({ kind: 'RemoveTeamsUser', teamsUserId: c.teamsUserId, operationContext: `transfer:${c.agentId}` });
        }
        this.state = { ...this.state, consultants: (this.state.consultants ?? []).filter((c) => !c.joined) };
        return this.escalate({ queueId: target.queueId, priority: 0, requiredSkills: [] }, `transferred by ${agent?.agentId ?? 'an agent'}`);
      }
      case 'phone': {
        // The agent stays on the call until the number answers: if it does not, the caller is not left alone.
        const operationSequence = this.state.operationSequence + 1;
        const operationContext = `transfer:${target.phoneNumber}:${operationSequence}`;
        this.state = { ...this.state, operationSequence, phoneTransfer: { phoneNumber: target.phoneNumber, operationContext } };
        this.command({ kind: 'TransferToPhone', phoneNumber: target.phoneNumber, operationContext });
        return this.done();
      }
      default:
        return assertNever(target, 'transfer target');
    }
  }

  /** The number answered: the caller talks on with it, and the assistant's leg is about to end. */
  phoneTransferAccepted(): Decision {
    const agent = this.state.agent;
    if (agent) this.command({ kind: 'NotifyRouting', outcome: 'callEnded', queueId: this.state.queueId ?? '', offerId: agent.offerId, agentId: agent.agentId, wrapUp: true });
    this.state = { ...this.state, agent: undefined, phoneTransfer: undefined, endReason: 'transferredToPhone', pendingOperation: undefined };
    this.moveTo('ending');
    return this.done();
  }

  /**
   * The number did not answer (or the transfer could not be sent). With the agent still on the line
   * the two talk on, told so if the config says how; an agent who left already hands the caller back
   * to the queue they came from.
   */
  phoneTransferFailed(): Decision {
    this.state = { ...this.state, phoneTransfer: undefined };
    const failed = this.flow.namedPrompt(this.state.language, 'transferFailed');
    if (this.state.agent) {
      if (failed) this.say(failed);
      return this.done();
    }
    const target = this.state.routingTarget ?? (this.state.queueId ? { queueId: this.state.queueId, priority: 0, requiredSkills: [] } : this.flow.personTarget);
    return this.escalate(target, 'transfer to a phone number failed', failed ?? this.prompt('technicalDifficulty'));
  }

  private consultantJoined(agentId: string): Decision {
    const joining = (this.state.consultants ?? []).find((c) => c.agentId === agentId);
    if (!joining) return this.done();
    if (!this.state.agent) {
      // The agent left while they rang (a number being rung for the caller meanwhile): they take the call.
      this.state = {
        ...this.state,
        agent: { agentId, offerId: `${joining.purpose}:${agentId}`, teamsUserId: joining.teamsUserId },
        consultants: (this.state.consultants ?? []).filter((c) => c !== joining),
      };
      return this.done();
    }
    if (joining.purpose === 'transfer') {
      const previous = this.state.agent;
      this.command({ kind: 'NotifyRouting', outcome: 'callEnded', queueId: this.state.queueId ?? '', offerId: previous.offerId, agentId: previous.agentId, wrapUp: true });
      if (previous.teamsUserId) this.command({ kind: 'RemoveTeamsUser', teamsUserId: previous.teamsUserId, operationContext: `transfer:${previous.agentId}` });
      this.state = {
        ...this.state,
        agent: { agentId, offerId: `transfer:${agentId}`, teamsUserId: joining.teamsUserId },
        consultants: (this.state.consultants ?? []).filter((c) => c !== joining),
      };
      return this.done();
    }
    this.state = { ...this.state, consultants: (this.state.consultants ?? []).map((c) => (c === joining ? { ...c, joined: true } : c)) };
    return this.done();
  }

  /** An expert or transfer's agent answered after the agent's conversation was over (the caller was queued again): let go. */
  private consultantNotWanted(agentId: string): Decision {
    const late = (this.state.consultants ?? []).find((c) => c.agentId === agentId && !c.joined);
    if (!late) return this.done();
    this.state = { ...this.state, consultants: (this.state.consultants ?? []).filter((c) => c !== late) };
    this.command({ kind: 'RemoveTeamsUser', teamsUserId: late.teamsUserId, operationContext: `transfer:${agentId}` });
    this.command({ kind: 'NotifyRouting', outcome: 'callEnded', queueId: this.state.queueId ?? '', offerId: `${late.purpose}:${agentId}`, agentId });
    return this.done();
  }

  private consultantMissed(agentId: string): Decision {
    const missed = (this.state.consultants ?? []).find((c) => c.agentId === agentId && !c.joined);
    if (!missed) return this.done();
    this.state = { ...this.state, consultants: (this.state.consultants ?? []).filter((c) => c !== missed) };
    this.command({ kind: 'NotifyRouting', outcome: 'callEnded', queueId: this.state.queueId ?? '', offerId: `${missed.purpose}:${agentId}`, agentId });
    return this.done();
  }

  /**
   * The caller's place in the queue, after queueWelcome the first time in a queue (routing announces
   * only when nobody is free to take the call) and queueStillWaiting later. Music on hold is stopped for it; a prompt still playing ("I'm
   * connecting you now") is not cut short: the announcement plays after it (the prompt's own
   * completion is then stale), and the music resumes when the announcement has played.
   */
  announcePosition(position: number, expectedWaitInSeconds: number): Decision {
    const heard = this.state.queueAnnouncements ?? 0;
    const where = joinPrompts(this.prompt(heard === 0 ? 'queueWelcome' : 'queueStillWaiting'), this.prompt('queuePosition', { position: String(position) }));
    const announcement =
      expectedWaitInSeconds > 0
        ? joinPrompts(where, this.prompt('queueExpectedWait', { minutes: String(Math.max(1, Math.round(expectedWaitInSeconds / 60))) }))
        : where;
    this.state = { ...this.state, queueAnnouncements: heard + 1 };
    if (this.state.holdMusicPlaying) this.command({ kind: 'CancelMedia' });
    this.state = { ...this.state, holdMusicPlaying: false };
    this.play('queued', announcement);
    return this.done();
  }

  /**
   * Music on hold, looped, once the caller has heard what was said to them in the queue: the first
   * of the queue's files that has not failed to play.
   */
  holdMusic(): Decision {
    const urls = this.state.queueId === undefined ? [] : this.flow.holdMusicUrls(this.state.queueId);
    const url = urls[this.state.holdMusicFailures ?? 0];
    if (!url) {
      this.state = { ...this.state, pendingOperation: undefined };
      return this.done();
    }
    const operationContext = this.nextOperation('queued');
    this.command({ kind: 'PlayAudio', url, loop: true, operationContext });
    this.state = { ...this.state, holdMusicPlaying: true, holdMusicOperation: operationContext };
    return this.done();
  }

  /**
   * Call Automation could not play something to a waiting caller. When it was the music (a file it
   * cannot download or read), the next file of the queue's list plays instead (the built-in tone
   * after the queue's own); when none is left, the caller is told they are still in the queue, and
   * routing's announcements go on. When it was an announcement, the music comes back as if it had
   * played. Each file fails at most once per queue, so this never loops.
   */
  queuedPlayFailed(operationContext: string | undefined): Decision {
    if (operationContext === undefined || operationContext !== this.state.holdMusicOperation) return this.holdMusic();
    const failures = (this.state.holdMusicFailures ?? 0) + 1;
    this.state = { ...this.state, holdMusicFailures: failures, holdMusicOperation: undefined };
    // An announcement took over before the failure arrived: when it ends, the next file plays.
    if (operationContext !== this.state.pendingOperation) return this.done();
    this.state = { ...this.state, holdMusicPlaying: false };
    const urls = this.state.queueId === undefined ? [] : this.flow.holdMusicUrls(this.state.queueId);
    if (failures < urls.length) return this.holdMusic();
    this.play('queued', this.prompt('queueStillWaiting'));
    return this.done();
  }

  overflow(action: Extract<CallEvent, { kind: 'QueueOverflowed' }>['action'], reason: string): Decision {
    switch (action.kind) {
      case 'queue':
        // The caller keeps their priority; the first queue's skills stay behind (the overflow queue's
        // own, and the language's, still apply), or nobody there might qualify.
        return this.escalate({ queueId: action.queueId, priority: this.state.routingTarget?.priority ?? 0, requiredSkills: [] }, `overflow (${reason}) from ${this.state.queueId}`);
      case 'disconnect': {
        this.state = { ...this.state, endReason: `overflow: ${reason}` };
        this.play('ending', this.flow.namedPrompt(this.state.language, action.message) ?? this.prompt('noAgents'));
        return this.done();
      }
      case 'voicemail':
        return this.startVoicemail(reason);
      case 'callback':
        // A callback overflow means: offer the callback now (the caller may still prefer to wait).
        return this.offerCallback();
      default:
        return assertNever(action, 'overflow action');
    }
  }

  /** The invited agent joined: the caller stops hearing hold media and routing learns the offer was taken. */
  agentJoined(operationContext: string | undefined, participantRawId: string): Decision {
    const invited = parseInvitationContext(operationContext);
    if (invited && this.state.stage === 'connected') return this.consultantJoined(invited.agentId);
    if (invited) return this.consultantNotWanted(invited.agentId);
    const offer = parseOfferOperationContext(operationContext);
    const queueId = this.state.queueId;
    if (!offer || this.state.stage !== 'queued' || !queueId) return this.done();
    this.state = { ...this.state, agent: { ...offer, teamsUserId: teamsUserIdOf(participantRawId) }, pendingOperation: undefined };
    this.moveTo('connected');
    this.command({ kind: 'CancelMedia' });
    this.command({ kind: 'NotifyRouting', outcome: 'offerAccepted', queueId, offerId: offer.offerId, agentId: offer.agentId });
    // One recording per call: a caller transferred on to another queue is still being recorded.
    if (this.flow.recordsAgentCalls(queueId) && this.state.agentCallRecordingId === undefined && !this.state.agentCallRecordingAsked) {
      this.state = { ...this.state, agentCallRecordingAsked: true };
      this.command({ kind: 'StartRecording', operationContext: `agentCall:${this.state.operationSequence}` });
    }
    return this.done();
  }

  /** The conversation with the agent is being recorded (until the call ends). */
  agentCallRecorded(recordingId: string): Decision {
    this.state = { ...this.state, agentCallRecordingId: recordingId };
    this.record({ kind: 'callRecorded', queueId: this.state.queueId ?? '', recordingId });
    return this.done();
  }

  /** The invitation failed: declined (603) or not answered in time; routing offers the next agent. */
  agentMissed(operationContext: string | undefined, code: number): Decision {
    const invited = parseInvitationContext(operationContext);
    if (invited) return this.consultantMissed(invited.agentId);
    const offer = parseOfferOperationContext(operationContext);
    if (!offer || this.state.stage !== 'queued' || !this.state.queueId) return this.done();
    const outcome = code === 603 ? 'offerDeclined' : 'offerNotAnswered';
    this.command({ kind: 'NotifyRouting', outcome, queueId: this.state.queueId, ...offer });
    return this.done();
  }

  /**
   * "Can you repeat that?" (or the repeat key) while the assistant waits for an answer in the caller's
   * own words or keys: the question is asked again, and does not count as a failed answer. At most
   * `maxRepeats` times per question; after that the words are taken as an answer.
   */
  private asksToRepeat(input: 'speech' | 'dtmf', text: string): boolean {
    const { question } = this.state.pii;
    if (question === undefined || (this.state.repeats ?? 0) >= maxRepeats) return false;
    if (!['understanding', 'anythingElse', 'collectingSlot', 'clarifying'].includes(this.state.stage)) return false;
    if (input === 'dtmf') return this.flow.repeatKey !== undefined && text === this.flow.repeatKey && text !== this.flow.personKey;
    return isRepeatRequest(text, this.words.repeat);
  }

  /** A menu also listens for a request to hear it again: the language's repeat words, and * where no option uses it. */
  private withRepeatChoice(mode: Extract<RecognitionMode, { kind: 'choices' }>): RecognitionMode {
    const phrases = this.words.repeat;
    if (phrases.length === 0 || mode.choices.some((c) => c.label === repeatLabel)) return mode;
    const key = this.flow.repeatKey;
    const keyFree = key !== undefined && key !== this.flow.personKey && !mode.choices.some((c) => c.tone === key);
    return { kind: 'choices', choices: [...mode.choices, { label: repeatLabel, phrases, ...(keyFree ? { tone: key } : {}) }] };
  }

  /**
   * The question was never put to the caller. One that came with a greeting (and its notices, such
   * as recording) is asked once more as it was, counted as a repeat; otherwise, or again, it is
   * treated as an answer not understood: the reprompt asks it, within the retries.
   */
  questionNotStarted(): Decision {
    const question = this.state.pii.question;
    if (!question?.asked || (this.state.repeats ?? 0) > 0) return this.noMatch();
    return this.ask(this.state.stage, question.asked, question.mode, this.state.retries, 1, question.prompt);
  }

  private repeatQuestion(): Decision {
    const question = this.state.pii.question as NonNullable<CallState['pii']['question']>;
    return this.ask(this.state.stage, question.prompt, question.mode, this.state.retries, (this.state.repeats ?? 0) + 1);
  }

  /** A wrong value (a PIN, an order number not found): ask for that slot again, up to the action's limit, then a person. */
  private retryAction(result: Extract<Extract<CallEvent, { kind: 'ActionCompleted' }>['result'], { status: 'retry' }>): Decision {
    const attempts = (this.state.actionAttempts ?? 1) + 1;
    const intent = this.state.intent === undefined ? undefined : this.flow.intents.get(this.state.intent);
    const slots = intent?.outcome.kind === 'selfService' ? intent.outcome.slots : [];
    const index = slots.findIndex((s) => s.name === result.slot);
    const slot = slots[index];
    const { [result.slot]: _wrong, ...kept } = this.state.pii.slots;
    this.state = { ...this.state, actionId: undefined, pii: { ...this.state.pii, slots: kept } };
    if (!slot || attempts > result.maxAttempts) {
      this.state = { ...this.state, actionAttempts: undefined, pii: { ...this.state.pii, slots: {} } };
      this.say(this.spoken(result.lockedSay));
      return this.escalate(this.flow.personTarget, `${result.slot} refused ${attempts - 1} times`);
    }
    this.state = { ...this.state, actionAttempts: attempts, slotIndex: index };
    this.say(this.spoken(result.say));
    return this.askSlot(slot, 0);
  }

  hangUp(): Decision {
    this.state = { ...this.state, pendingOperation: undefined };
    this.command({ kind: 'HangUp' });
    return this.done();
  }

  /**
   * Routing is not deployed, or the caller's request for a person could not be sent. A request that
   * failed is sent once more after the technicalDifficulty prompt (a short Service Bus outage can
   * pass meanwhile); then, as without routing, the caller hears noAgents and the call ends, rather
   * than waiting to music for someone who was never asked.
   */
  routingUnavailable(reason: string, failed: boolean): Decision {
    const target = this.state.routingTarget;
    if (failed && target && !this.state.routingResent && this.state.stage === 'queued') {
      this.state = { ...this.state, routingResent: true, holdMusicPlaying: false };
      this.command({ kind: 'CancelMedia' });
      this.play('queued', this.prompt('technicalDifficulty'));
      this.command({ kind: 'RequestRouting', queueId: target.queueId, priority: target.priority, requiredSkills: this.skillsFor(target), context: this.handOffContext(`${reason}; sent again`) });
      return this.done();
    }
    return this.endWith('noAgents', `no routing: ${reason}`);
  }

  /** Say a closing prompt, then hang up once it has played. */
  endWith(key: PromptKey, reason: string): Decision {
    return this.endSaying(this.prompt(key), reason);
  }

  /** A menu option as a person reads it in the transcript: a language's or an intent's name, else the label. */
  private optionName(label: string): string {
    if (this.state.stage === 'languageMenu') return this.flow.languages.find((l) => l.code === label)?.spokenName ?? label;
    return this.flow.intents.get(label)?.spokenName(this.state.language) ?? label;
  }

  private endSaying(prompt: Prompt, reason: string): Decision {
    this.state = { ...this.state, endReason: reason };
    this.play('ending', prompt);
    return this.done();
  }

  /**
   * "Did you mean A, or B?" as open speech, not a choices menu: callers answer in their own words
   * ("the bill one", "it's about my bill"), which `clarified` matches to either intent; 1 and 2 pick by key.
   */
  private askClarifying(a: IntentDefinition, b: IntentDefinition, lead: Prompt | undefined, retries: number): Decision {
    const question = this.prompt('clarify', { a: a.spokenName(this.state.language), b: b.spokenName(this.state.language) });
    return this.ask('clarifying', lead ? joinPrompts(lead, question) : question, { kind: 'speechOrDtmf', maxTonesToCollect: 1 }, retries);
  }

  /** A language service's understanding when the shell brought one, else the embedded model's. */
  private understand(text: string, understood: Understanding | undefined): Decision {
    const result = understood ?? this.flow.understand(text, this.state.language);
    const [best, second] = result.ranked;
    if (!result.outOfScope && result.intent && result.confidence >= this.flow.acceptConfidence) {
      const intent = this.flow.intents.get(result.intent);
      if (intent) {
        this.record({ kind: 'intentDecision', intent: result.intent, confidence: result.confidence, verdict: 'accepted' });
        this.state = { ...this.state, confidence: result.confidence };
        return this.act(intent);
      }
    }
    const clarifications = this.state.clarifications ?? 0;
    if (!result.outOfScope && best && second && best.confidence >= this.flow.clarifyConfidence && clarifications < this.flow.maxClarifications) {
      const a = this.flow.intents.get(best.intent);
      const b = this.flow.intents.get(second.intent);
      if (a && b) {
        this.record({ kind: 'intentDecision', intent: best.intent, confidence: best.confidence, verdict: 'clarify' });
        this.state = { ...this.state, clarifyBetween: [a.name, b.name], clarifications: clarifications + 1, confidence: best.confidence, retries: 0 };
        return this.askClarifying(a, b, undefined, 0);
      }
    }
    this.record({ kind: 'intentDecision', intent: result.intent, confidence: result.confidence, verdict: result.outOfScope ? 'outOfScope' : 'noMatch' });
    // "Yes, please" to "anything else?" says there is something, not what: ask for it, no apology.
    if (this.state.stage === 'anythingElse' && startsWithPhrase(text, this.words.yes)) {
      return this.ask('understanding', this.prompt('openQuestion'), { kind: 'speechOrDtmf', maxTonesToCollect: 1 }, this.state.retries);
    }
    return this.noMatch();
  }

  /**
   * The answer to "Did you mean A, or B?": 1 or 2; a reply naming just one of them; else what the
   * language understanding makes of it — the likelier of the two when it stands at least at
   * `clarifyConfidence` and above the other, or a third intent the caller now states clearly
   * (at `acceptConfidence`). Anything else goes to a person: there is only one clarifying question.
   */
  private clarified(input: 'speech' | 'dtmf', text: string, understood: Understanding | undefined): Decision {
    const candidates = this.state.clarifyBetween.map((name) => this.flow.intents.get(name)).filter((i): i is IntentDefinition => i !== undefined);
    const accept = (intent: IntentDefinition, confidence: number): Decision => {
      this.record({ kind: 'intentDecision', intent: intent.name, confidence, verdict: 'accepted' });
      this.state = { ...this.state, confidence };
      return this.act(intent);
    };
    const confidence = this.state.confidence ?? 0;
    if (input === 'dtmf') {
      const keyed = candidates[Number(text) - 1];
      return /^[12]$/.test(text) && keyed ? accept(keyed, confidence) : this.noMatch();
    }
    // "a billing dispute" names "billing dispute", not also "billing": a name inside a longer one said does not count.
    const said = candidates.map((intent) => ({ intent, name: foldSpoken(intent.spokenName(this.state.language)) })).filter((c) => containsPhrase(text, [c.name]));
    const named = said.filter((c) => !said.some((other) => other !== c && containsPhrase(other.name, [c.name])));
    if (named.length === 1) return accept((named[0] as { intent: IntentDefinition }).intent, confidence);
    const ordinal = isOrdinalAnswer(text, this.words.first) ? candidates[0] : isOrdinalAnswer(text, this.words.second) ? candidates[1] : undefined;
    if (ordinal) return accept(ordinal, confidence);
    if (containsPhrase(text, this.words.person)) return this.escalate(this.flow.personTarget, 'caller asked for a person');
    const result = understood ?? this.flow.understand(text, this.state.language);
    // Between two named options an answer the model would call out of scope on its own can still
    // lean clearly to one of them ("it keeps dropping" -> technical support).
    const likelier = result.ranked.find((r) => candidates.some((c) => c.name === r.intent));
    const chosen = likelier && likelier.confidence >= this.flow.clarifyConfidence ? this.flow.intents.get(likelier.intent) : undefined;
    if (likelier && chosen) return accept(chosen, likelier.confidence);
    const stated = !result.outOfScope && result.intent !== null && result.confidence >= this.flow.acceptConfidence ? this.flow.intents.get(result.intent) : undefined;
    if (stated) return accept(stated, result.confidence);
    // With more clarifying questions allowed, the answer is understood afresh (maybe "Did you mean C, or D?").
    if ((this.state.clarifications ?? 0) < this.flow.maxClarifications) return this.understand(text, result);
    this.record({ kind: 'intentDecision', intent: result.intent, confidence: result.confidence, verdict: result.outOfScope ? 'outOfScope' : 'noMatch' });
    return this.noMatch();
  }

  private keypadChoice(keys: string): Decision {
    const intent = [...this.flow.intents.values()].find((i) => i.dtmfKey !== undefined && i.dtmfKey === keys);
    if (!intent) return this.noMatch();
    this.record({ kind: 'intentDecision', intent: intent.name, confidence: 1, verdict: 'keypad' });
    this.state = { ...this.state, confidence: 1 };
    return this.act(intent);
  }

  private act(intent: IntentDefinition, confirmed = false): Decision {
    this.state = { ...this.state, intent: intent.name, retries: 0, clarifyBetween: [], clarifications: 0 };
    if (intent.confirm && !confirmed) {
      return this.ask('confirmingIntent', intent.confirm(this.state.language), { kind: 'choices', choices: this.yesNoChoices() }, 0);
    }
    if (intent.outcome.kind === 'goodbye') return this.endWith('goodbye', 'completed');
    // An action gets only its own slots; an escalation keeps what earlier turns learned for the agent.
    const slots = intent.outcome.kind === 'selfService' ? {} : this.state.pii.slots;
    this.state = { ...this.state, slotIndex: 0, pii: { ...this.state.pii, slots } };
    return this.slotOrOutcome(intent);
  }

  /** The intent's next slot, or, with all of them filled, its action or its queue. */
  private slotOrOutcome(intent: IntentDefinition): Decision {
    const slot = slotsOf(intent.outcome)[this.state.slotIndex];
    if (slot) return this.askSlot(slot, 0);
    switch (intent.outcome.kind) {
      case 'escalate':
        return this.escalate(intent.outcome.target, `intent ${intent.name}`);
      case 'selfService':
        return this.runAction(intent.outcome.action, intent.outcome.timeoutInMs);
      case 'goodbye':
        return this.endWith('goodbye', 'completed');
      case 'inform':
        this.state = { ...this.state, retries: 0 };
        return this.ask('anythingElse', joinPrompts(intent.outcome.answer(this.state.language, this.now), this.prompt('anythingElse')), { kind: 'speechOrDtmf', maxTonesToCollect: 1 });
      default:
        return assertNever(intent.outcome, 'intent outcome');
    }
  }

  private runAction(action: string, timeoutInMs = this.flow.actionTimeoutInMs): Decision {
    const actionId = `${this.state.callId}:action:${this.state.operationSequence + 1}`;
    this.state = { ...this.state, actionId, operationSequence: this.state.operationSequence + 1, pendingOperation: undefined };
    this.moveTo('runningAction');
    this.command({
      kind: 'RunAction',
      actionId,
      action,
      language: this.state.language,
      fillerDelayInMs: this.flow.actionFillerDelayInMs,
      timeoutInMs,
      today: todayIn(this.lineTimeZone(), this.now),
      pii: { slots: this.state.pii.slots },
    });
    return this.done();
  }

  private askSlot(slot: SlotDefinition, retries: number, before?: Prompt, kind: 'noInput' | 'noMatch' = 'noMatch'): Decision {
    if (retries > this.retryLimit(kind)) {
      // A caller who was headed for a queue anyway goes there; one who was self-serving, to a person.
      const intent = this.state.intent === undefined ? undefined : this.flow.intents.get(this.state.intent);
      return this.escalate(intent?.outcome.kind === 'escalate' ? intent.outcome.target : this.flow.personTarget, `could not collect ${slot.name}`);
    }
    const mode: RecognitionMode =
      slot.type === 'digits' && slot.input === 'dtmf'
        ? { kind: 'dtmf', maxTonesToCollect: slot.maxLength, stopTones: ['#'] }
        : slot.type === 'yesNo'
          ? { kind: 'choices', choices: this.yesNoChoices() }
          : // Free text is spoken: the keypad only matters for 0, a person.
            { kind: 'speechOrDtmf', maxTonesToCollect: slot.type === 'freeText' ? 1 : slot.maxLength };
    const question = slot.ask(this.state.language);
    return this.ask('collectingSlot', before ? joinPrompts(before, question) : question, mode, retries);
  }

  private slotValue(slot: SlotDefinition, raw: string, input: 'speech' | 'dtmf' = 'dtmf'): Decision {
    const value = normaliseSlot(slot, raw, {
      words: this.words,
      language: this.state.language,
      now: this.now,
      timeZone: this.lineTimeZone(),
    });
    if (value.kind === 'invalid') {
      const changedMind = input === 'speech' ? this.anotherIntent(raw) : undefined;
      if (changedMind) return changedMind;
      const apology = (value.outOfRange ? slot.outOfRange : undefined) ?? slot.invalid;
      return this.askSlot(slot, this.state.retries + 1, apology?.(this.state.language));
    }
    return this.keepSlot(slot, value.value);
  }

  /**
   * Asked for a slot's value, the caller said they want something else instead ("actually I want to
   * pay my bill"): when the embedded classifier is sure of another intent, the caller is taken at
   * their word, as at the open question, at most `maxIntentChanges` times a call. Anything less sure
   * is an answer that did not fit, and the slot is asked again.
   */
  private anotherIntent(text: string): Decision | undefined {
    const changes = this.state.intentChanges ?? 0;
    if (changes >= maxIntentChanges) return undefined;
    const understood = this.flow.understand(text, this.state.language);
    if (understood.outOfScope || understood.intent === null || understood.intent === this.state.intent || understood.confidence < this.flow.acceptConfidence) return undefined;
    const intent = this.flow.intents.get(understood.intent);
    if (!intent) return undefined;
    this.record({ kind: 'intentDecision', intent: intent.name, confidence: understood.confidence, verdict: 'accepted' });
    this.state = { ...this.state, confidence: understood.confidence, intentChanges: changes + 1 };
    return this.act(intent);
  }

  /** The time zone of the line the caller dialled: dates are read and said in it. */
  private lineTimeZone(): string {
    return this.flow.line(this.state.pii.calledNumber).timeZone ?? 'UTC';
  }

  /** Stores a valid slot value, reads it back when the slot wants that, else goes on. */
  private keepSlot(slot: SlotDefinition, value: string): Decision {
    this.state = { ...this.state, pii: { ...this.state.pii, slots: { ...this.state.pii.slots, [slot.name]: value } } };
    if (slot.confirm && !slot.mask) {
      const today = todayIn(this.lineTimeZone(), this.now);
      const spoken = slot.type === 'digits' ? spokenDigits(value) : slot.type === 'date' ? spokenDate(value, this.state.language, { today }) : value;
      return this.ask('confirmingSlot', this.prompt('confirmSlot', { value: spoken }), { kind: 'choices', choices: this.yesNoChoices() }, 0);
    }
    return this.nextSlot();
  }

  private nextSlot(): Decision {
    const intent = this.state.intent === undefined ? undefined : this.flow.intents.get(this.state.intent);
    if (!intent) return this.escalate(this.flow.personTarget, 'no intent for the slot');
    this.state = { ...this.state, slotIndex: this.state.slotIndex + 1, retries: 0 };
    return this.slotOrOutcome(intent);
  }

  private retryOrEscalate(kind: 'noInput' | 'noMatch'): Decision {
    const retries = this.state.retries + 1;
    switch (this.state.stage) {
      case 'understanding':
      case 'anythingElse':
        if (retries > this.retryLimit(kind)) {
          // Silence after self-service has answered them: the caller is done, not stuck.
          if (this.state.stage === 'anythingElse' && kind === 'noInput') return this.endWith('goodbye', 'completed');
          return this.escalate(this.flow.personTarget, kind === 'noInput' ? 'no input' : 'not understood');
        }
        // The apology, then the question this stage asked, once; at the open question also the
        // keypad menu, for a caller whose words are not getting through.
        return this.ask(
          this.state.stage,
          this.state.stage === 'anythingElse'
            ? joinPrompts(this.prompt(kind), this.prompt('anythingElse'))
            : this.withKeypadMenu(joinPrompts(this.prompt(kind), this.prompt('openQuestion'))),
          { kind: 'speechOrDtmf', maxTonesToCollect: 1 },
          retries,
        );
      case 'queued':
        // No answer to the callback offer: the caller keeps waiting, with music.
        return this.holdMusic();
      case 'voicemail':
        return this.voicemailDone();
      case 'closed':
        // No choice made: a message if the schedule takes them, else goodbye.
        return this.state.callbackWhenOpen?.voicemail ? this.startVoicemail(undefined) : this.endWith('goodbye', 'afterHours');
      case 'confirmingIntent': {
        // Silence: the confirmation again, within the no-input limit; any other answer goes to a person.
        const intent = this.state.intent === undefined ? undefined : this.flow.intents.get(this.state.intent);
        if (kind === 'noInput' && retries <= this.retryLimit(kind) && intent?.confirm) {
          return this.ask('confirmingIntent', joinPrompts(this.prompt(kind), intent.confirm(this.state.language)), { kind: 'choices', choices: this.yesNoChoices() }, retries);
        }
        return this.escalate(this.flow.personTarget, 'clarification failed');
      }
      case 'clarifying': {
        // Silence (the caller may not have heard): the same question again, within the no-input
        // limit. An answer that fits neither option goes to a person: one clarifying question only.
        const [a, b] = this.state.clarifyBetween.map((name) => this.flow.intents.get(name));
        if (kind === 'noInput' && retries <= this.retryLimit(kind) && a && b) return this.askClarifying(a, b, this.prompt(kind), retries);
        return this.escalate(this.flow.personTarget, 'clarification failed');
      }
      case 'languageMenu':
        return this.askOpenQuestion(joinPrompts(this.greeting(), this.prompt('openQuestion')), this.prompt('openQuestion'));
      case 'collectingSlot':
      case 'confirmingSlot': {
        const slot = currentSlot(this.flow, this.state);
        // Silence at a read-back: the read-back again (the caller may not have heard it). Words that
        // are neither yes nor no may be a corrected value: the slot's question again.
        const readBack = this.state.pii.question;
        if (this.state.stage === 'confirmingSlot' && kind === 'noInput' && readBack && retries <= this.retryLimit(kind)) {
          return this.ask('confirmingSlot', joinPrompts(this.prompt(kind), readBack.prompt), readBack.mode, retries, 0, readBack.prompt);
        }
        // The same apology as at the open question, then the slot's question again.
        return slot ? this.askSlot(slot, retries, this.prompt(kind), kind) : this.escalate(this.flow.personTarget, kind);
      }
      default:
        return this.done();
    }
  }

  private escalate(target: EscalationTarget, reason: string, lead?: Prompt): Decision {
    const closed = this.flow.queueClosed(target.queueId, this.now);
    if (closed) {
      this.record({ kind: 'queueClosed', queueId: target.queueId, reason });
      return this.closedFor(closed, target, reason, lead);
    }
    const context = this.handOffContext(reason);
    // Music that failed is not tried again in the same queue (a request sent again); another queue's may play.
    const holdMusicFailures = target.queueId === this.state.queueId ? this.state.holdMusicFailures : 0;
    this.state = { ...this.state, queueId: target.queueId, routingTarget: target, retries: 0, queueAnnouncements: 0, holdMusicFailures };
    this.play('queued', lead ? joinPrompts(lead, this.prompt('transferring')) : this.prompt('transferring'));
    this.command({ kind: 'RequestRouting', queueId: target.queueId, priority: target.priority, requiredSkills: this.skillsFor(target), context });
    return this.done();
  }

  /** What the agent's screen shows: what the caller wanted and said so far. */
  private handOffContext(reason: string): HandOffContext {
    const line = this.flow.line(this.state.pii.calledNumber).name;
    return {
      intent: this.state.intent,
      confidence: this.state.confidence,
      language: this.state.language,
      ...(line === undefined ? {} : { line }),
      reason,
      pii: { callerId: this.state.pii.callerId, transcript: this.state.pii.transcript, slots: maskedSlots(this.flow, this.state) },
    };
  }

  /** The target's skills plus the one the caller's language needs. */
  private skillsFor(target: EscalationTarget): EscalationTarget['requiredSkills'] {
    const languageSkill = this.flow.languageSkill(this.state.language);
    return languageSkill && !target.requiredSkills.some((s) => s.skill === languageSkill.skill) ? [...target.requiredSkills, languageSkill] : target.requiredSkills;
  }

  /** `prompt` followed by "For {label}, press {key}." for each intent with a key, in key order. */
  private withKeypadMenu(prompt: Prompt): Prompt {
    const keyed = [...this.flow.intents.values()]
      .filter((i): i is IntentDefinition & { dtmfKey: string } => i.dtmfKey !== undefined)
      .sort((a, b) => a.dtmfKey.localeCompare(b.dtmfKey));
    return keyed.reduce((menu, i) => joinPrompts(menu, this.prompt('keypadMenuOption', { label: i.spokenName(this.state.language), key: i.dtmfKey })), prompt);
  }

  /** The line's greeting, then the notices it plays now (an outage, holiday hours). */
  private greeting(): Prompt {
    const notices = this.flow.notices(this.state.pii.calledNumber, this.now).flatMap((key) => this.flow.namedPrompt(this.state.language, key) ?? []);
    return notices.reduce(joinPrompts, this.prompt('greeting'));
  }

  /** `repeatAs`: what a caller who asks to hear it again hears (the question without the greeting). */
  private askOpenQuestion(prompt: Prompt, repeatAs: Prompt = prompt): Decision {
    return this.ask('understanding', prompt, { kind: 'speechOrDtmf', maxTonesToCollect: 1 }, 0, 0, repeatAs);
  }

  /** Reprompts allowed at one question after silence or after an answer not understood. */
  private retryLimit(kind: 'noInput' | 'noMatch'): number {
    return kind === 'noInput' ? this.flow.maxNoInputRetries : this.flow.maxNoMatchRetries;
  }

  private ask(stage: CallStage, prompt: Prompt, mode: RecognitionMode, retries = 0, repeats = 0, repeatAs: Prompt = prompt): Decision {
    const operationContext = this.nextOperation(stage);
    const listening = mode.kind === 'choices' ? this.withRepeatChoice(mode) : mode;
    const asked = prompt === repeatAs ? {} : { asked: prompt };
    this.state = { ...this.state, retries, repeats, pii: { ...this.state.pii, question: { prompt: repeatAs, mode: listening, ...asked } } };
    this.moveTo(stage);
    this.addTranscript(`Assistant: ${wordsOf(prompt)}`);
    this.command({
      kind: 'StartRecognition',
      prompt,
      mode: listening,
      initialSilenceTimeoutInSeconds: this.flow.initialSilenceTimeoutInSeconds,
      ...(mode.kind === 'speechOrDtmf' ? { endSilenceTimeoutInSeconds: this.flow.endSilenceTimeoutInSeconds } : {}),
      interruptPrompt: this.flow.bargeIn,
      operationContext,
    });
    return this.done();
  }

  private play(stage: CallStage, prompt: Prompt): void {
    const operationContext = this.nextOperation(stage);
    this.moveTo(stage);
    this.addTranscript(`Assistant: ${wordsOf(prompt)}`);
    this.command({ kind: 'PlayPrompt', prompt, operationContext });
  }

  /** A prompt that does not change what the flow waits for (said before an escalation). */
  private say(prompt: Prompt): void {
    this.addTranscript(`Assistant: ${wordsOf(prompt)}`);
    this.command({ kind: 'PlayPrompt', prompt, operationContext: `say:${this.state.operationSequence}` });
  }

  private nextOperation(stage: CallStage): string {
    const operationSequence = this.state.operationSequence + 1;
    const operationContext = `${stage}:${operationSequence}`;
    this.state = { ...this.state, operationSequence, pendingOperation: operationContext };
    return operationContext;
  }

  private moveTo(stage: CallStage): void {
    if (this.state.stage !== stage) this.record({ kind: 'stageChanged', from: this.state.stage, to: stage });
    this.state = { ...this.state, stage };
  }

  private command(command: CallCommand): void {
    this.commands.push(command);
    this.record({ kind: 'command', command: command.kind === 'RunAction' ? { ...command, pii: { slots: maskedSlots(this.flow, this.state) } } : recordedCommand(command) });
  }

  private prompt(key: PromptKey, values?: Readonly<Record<string, string>>): Prompt {
    return this.flow.prompt(this.state.language, key, values);
  }

  /** An action's words: the config's prompt by that key (a validated config has it), else the key. */
  private spoken(say: ActionSpeech): Prompt {
    return this.flow.namedPrompt(this.state.language, say.prompt, say.values) ?? { ...this.prompt('anythingElse'), ssml: false, text: say.prompt };
  }

  private addTranscript(line: string): void {
    this.state = { ...this.state, pii: { ...this.state.pii, transcript: [...this.state.pii.transcript, line].slice(-transcriptLimit) } };
  }
}

/** Lower case, accents folded, punctuation dropped, single spaces: how spoken answers are compared. */
function foldSpoken(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** What follows the phrase the answer starts with (folded; '' when it is the phrase alone), or undefined. */
function restAfterPhrase(text: string, phrases: readonly string[]): string | undefined {
  const said = foldSpoken(text);
  const matched = phrases
    .map(foldSpoken)
    .filter((folded) => folded.length > 0 && (said === folded || said.startsWith(`${folded} `)))
    .sort((a, b) => b.length - a.length)[0];
  return matched === undefined ? undefined : said.slice(matched.length).replace(/'/g, '').trim();
}

/** Words that close a conversation rather than start a request ("no, that's all, thanks, bye"). */
const closingWords = new Set([
  'thanks', 'thank', 'you', 'bye', 'goodbye', 'thats', 'that', 'is', 'all', 'it', 'im', 'good', 'fine', 'cheers', 'ok', 'okay', 'nothing', 'else', 'really', 'no', 'please', 'sorry',
  'gracias', 'muchas', 'adios', 'nada', 'mas', 'eso', 'es', 'todo', 'vale', 'hasta', 'luego', 'pronto', 'bien',
]);

/** The answer is one of the phrases, or starts with one as a whole word ("no thanks, bye"). */
function startsWithPhrase(text: string, phrases: readonly string[]): boolean {
  return restAfterPhrase(text, phrases) !== undefined;
}

const maxRepeats = 3;
/** The choice a menu adds for a caller who asks to hear it again. */
const repeatLabel = 'repeat';

/** Words a repeat request may carry around its phrase ("sorry, can you repeat that, please"). */
const politeWords = new Set(['sorry', 'please', 'pardon', 'excuse', 'me', 'um', 'uh', 'oh', 'again', 'perdon', 'disculpe', 'por', 'favor', 'eh', 'lo', 'siento']);

/** Words around a request for a person ("I'd like to speak to an agent, please"). */
const personRequestWords = new Set([
  ...politeWords, 'i', 'id', 'like', 'want', 'to', 'speak', 'talk', 'with', 'an', 'a', 'the', 'can', 'could', 'let', 'get', 'need', 'real', 'just', 'give',
  'quiero', 'quisiera', 'hablar', 'con', 'un', 'una', 'el', 'la', 'necesito', 'paseme', 'pongame', 'puedo',
]);

/** The answer is a repeat phrase, alone or with polite words around it. */
function isRepeatRequest(text: string, phrases: readonly string[]): boolean {
  return isPhraseAlone(text, phrases, politeWords);
}

/** The answer holds one of the phrases and, around it, only words from `around`. */
function isPhraseAlone(text: string, phrases: readonly string[], allowed: ReadonlySet<string>): boolean {
  const said = foldSpoken(text).replace(/'/g, '');
  return phrases.some((phrase) => {
    const folded = foldSpoken(phrase).replace(/'/g, '');
    if (folded.length === 0) return false;
    const at = ` ${said} `.indexOf(` ${folded} `);
    if (at < 0) return false;
    const around = `${said.slice(0, at)} ${said.slice(at + folded.length)}`.split(' ').filter((w) => w !== '');
    return around.every((w) => allowed.has(w));
  });
}

/**
 * Words a short pick may carry after its ordinal ("the second one, please"): more than this and the
 * ordinal starts a sentence about something else ("first of all I want to cancel"), which the
 * language understanding judges instead.
 */
const maxWordsAfterOrdinal = 3;

/** The answer starts with one of the ordinal phrases and says little else. */
function isOrdinalAnswer(text: string, phrases: readonly string[]): boolean {
  const said = foldSpoken(text);
  return phrases.some((phrase) => {
    const folded = foldSpoken(phrase);
    if (folded.length === 0 || !(said === folded || said.startsWith(`${folded} `))) return false;
    const rest = said.slice(folded.length).trim();
    return rest === '' || rest.split(' ').length <= maxWordsAfterOrdinal;
  });
}

/** One of the phrases occurs in the answer as whole words ("it's about technical support, please"). */
function containsPhrase(text: string, phrases: readonly string[]): boolean {
  const said = ` ${foldSpoken(text)} `;
  return phrases.some((phrase) => {
    const folded = foldSpoken(phrase);
    return folded.length > 0 && said.includes(` ${folded} `);
  });
}

/** Digit words a recogniser may leave as words (English and Spanish; others come as numerals). */
const digitWords: Readonly<Record<string, string>> = {
  zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  cero: '0', uno: '1', un: '1', dos: '2', tres: '3', cuatro: '4', cinco: '5', seis: '6', siete: '7', ocho: '8', nueve: '9',
};
const spokenDigitPattern = new RegExp(`(?<![\\p{L}])(${Object.keys(digitWords).join('|')})(?![\\p{L}])`, 'gu');

interface SlotContext {
  readonly words: MenuWords;
  readonly language: string;
  readonly now: Date;
  readonly timeZone: string;
}

/** A slot's value, or why the answer is not one: a date outside the slot's range is told apart. */
type SlotReading = { readonly kind: 'valid'; readonly value: string } | { readonly kind: 'invalid'; readonly outOfRange: boolean };

const invalidAnswer: SlotReading = { kind: 'invalid', outOfRange: false };

function normaliseSlot(slot: SlotDefinition, raw: string, { words, language, now, timeZone }: SlotContext): SlotReading {
  const text = raw.trim();
  switch (slot.type) {
    case 'digits': {
      const digits = text
        .toLowerCase()
        .replace(spokenDigitPattern, (word) => digitWords[word] ?? word)
        .replace(/[\s#.,-]/g, '');
      return /^\d+$/.test(digits) && digits.length >= slot.minLength && digits.length <= slot.maxLength ? { kind: 'valid', value: digits } : invalidAnswer;
    }
    case 'yesNo':
      if (text === '1' || startsWithPhrase(text, words.yes)) return { kind: 'valid', value: 'yes' };
      if (text === '2' || startsWithPhrase(text, words.no)) return { kind: 'valid', value: 'no' };
      return invalidAnswer;
    case 'date': {
      const reading = readSpokenDate(text, language, now, timeZone, slot.dateRange ?? 'any');
      return reading.kind === 'inRange' ? { kind: 'valid', value: reading.date } : { kind: 'invalid', outOfRange: reading.kind === 'outOfRange' };
    }
    case 'freeText':
      // A caller who says more than fits is not asked to say it again: the start is kept.
      return text.length >= Math.max(1, slot.minLength) ? { kind: 'valid', value: cutAtWord(text, slot.maxLength) } : invalidAnswer;
    default:
      return assertNever(slot.type, 'slot type');
  }
}

/** `text` cut to at most `max` characters, at the last word boundary, with "…" when cut. */
function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, Math.max(1, max - 1));
  const space = head.lastIndexOf(' ');
  return `${(space > 0 ? head.slice(0, space) : head).trimEnd()}…`;
}

function maskedSlots(flow: AssistantFlow, state: CallState): Record<string, string> {
  const intent = state.intent === undefined ? undefined : flow.intents.get(state.intent);
  const slots = intent ? slotsOf(intent.outcome) : [];
  return Object.fromEntries(
    Object.entries(state.pii.slots).map(([name, value]) => [name, slots.find((s) => s.name === name)?.mask ? '*'.repeat(value.length) : value]),
  );
}
