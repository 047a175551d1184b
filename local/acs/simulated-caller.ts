import { EventEmitter } from 'node:events';
import type { CallerInput } from './recognize-outcome.js';

/**
 * One step of a scripted PSTN party. Every recognize that listens to the party takes the next
 * step: `say` answers speech (or a choice by phrase), `press` answers with keypad keys (or a
 * choice by tone), `silence` lets the initial silence timeout run out, `hangUp` hangs up instead
 * of answering. `waitForPrompt` is not taken by a recognize: the party stays silent until it hears
 * a prompt containing that text (case-insensitive), then moves on, hanging up at once if the next
 * step is `hangUp` (for "hang up while on hold"). `bargeIn` answers while the prompt still plays,
 * when the recognize allows `interruptPrompt`.
 */
export type CallerStep =
  | { readonly say: string; readonly confidence?: number; readonly bargeIn?: boolean }
  | { readonly press: string; readonly bargeIn?: boolean }
  | { readonly silence: true }
  | { readonly hangUp: true }
  | { readonly waitForPrompt: string };

/**
 * What the party does once its script is used up: hang up at the next recognize, stay silent,
 * or wait for live actions (CLI, softphone) until the recognize's silence timeout.
 */
export type WhenScriptEnds = 'hangUp' | 'silence' | 'wait';

export type ConversationState = 'ringing' | 'connected' | 'ended';

export type EndReason =
  | 'callerHungUp'
  | 'appHungUp'
  | 'otherPartyHungUp'
  | 'rejected'
  | 'declined'
  | 'notAnswered'
  | 'removed'
  | 'emulatorClosed';

export type ConversationEntry = { readonly at: string } & (
  | {
      readonly kind: 'heard';
      readonly via: 'play' | 'recognizePrompt' | 'holdMusic' | 'dtmf';
      readonly text?: string;
      readonly ssml?: string;
      readonly fileUrl?: string;
      readonly loop?: boolean;
      readonly operationContext?: string;
    }
  | { readonly kind: 'said'; readonly text: string; readonly confidence: number }
  | { readonly kind: 'pressed'; readonly keys: string }
  | { readonly kind: 'silent' }
  | { readonly kind: 'hungUp' }
  | { readonly kind: 'callEvent'; readonly description: string; readonly participant?: string }
);

export interface Conversation {
  readonly simulatedCallId: string;
  readonly direction: 'inbound' | 'outbound';
  /** The simulated PSTN party's own number. */
  readonly phoneNumber: string;
  /** The number it called (inbound) or was called from (outbound). */
  readonly otherNumber: string;
  readonly state: ConversationState;
  readonly endReason?: EndReason;
  readonly serverCallId: string;
  readonly correlationId: string;
  readonly callConnectionId?: string;
  /** Inbound calls: whether Event Grid delivered the IncomingCall event to a validated webhook. */
  readonly incomingCallDelivered?: boolean;
  /** A recognize is listening and this party acts live (script used up, `whenScriptEnds: 'wait'`). */
  readonly awaitingInput: boolean;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly entries: readonly ConversationEntry[];
}

/** What the party does when a recognize starts listening to it. */
export type RecognizeReaction =
  | { readonly kind: 'input'; readonly input: CallerInput; readonly bargeIn: boolean }
  | { readonly kind: 'hangUp' }
  | { readonly kind: 'waitLive' };

export interface SimulatedCallerInit {
  readonly simulatedCallId: string;
  readonly direction: 'inbound' | 'outbound';
  readonly phoneNumber: string;
  readonly otherNumber: string;
  readonly serverCallId: string;
  readonly correlationId: string;
  readonly script: readonly CallerStep[];
  readonly whenScriptEnds: WhenScriptEnds;
}

const defaultSpeechConfidence = 0.92;

/**
 * A simulated PSTN party: its script, what it heard and did (the conversation log), and the live
 * input slot a CLI or softphone fills. It decides what the party does; the Call Automation service
 * decides what that does to the call.
 */
export class SimulatedCaller {
  readonly simulatedCallId: string;
  readonly phoneNumber: string;
  private readonly emitter = new EventEmitter();
  private readonly entries: ConversationEntry[] = [];
  private readonly script: readonly CallerStep[];
  private cursor = 0;
  private state: ConversationState = 'ringing';
  private endReason: EndReason | undefined;
  private endedAt: string | undefined;
  private callConnectionId: string | undefined;
  private incomingCallDelivered: boolean | undefined;
  private awaitingInput = false;
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly init: SimulatedCallerInit) {
    this.simulatedCallId = init.simulatedCallId;
    this.phoneNumber = init.phoneNumber;
    this.script = init.script;
    this.emitter.setMaxListeners(0);
  }

  get isEnded(): boolean {
    return this.state === 'ended';
  }

  get isAwaitingInput(): boolean {
    return this.awaitingInput;
  }

  snapshot(): Conversation {
    return {
      simulatedCallId: this.simulatedCallId,
      direction: this.init.direction,
      phoneNumber: this.phoneNumber,
      otherNumber: this.init.otherNumber,
      state: this.state,
      ...(this.endReason ? { endReason: this.endReason } : {}),
      serverCallId: this.init.serverCallId,
      correlationId: this.init.correlationId,
      ...(this.callConnectionId ? { callConnectionId: this.callConnectionId } : {}),
      ...(this.incomingCallDelivered !== undefined ? { incomingCallDelivered: this.incomingCallDelivered } : {}),
      awaitingInput: this.awaitingInput,
      startedAt: this.startedAt,
      ...(this.endedAt ? { endedAt: this.endedAt } : {}),
      entries: [...this.entries],
    };
  }

  record(entry: DistributiveOmit<ConversationEntry, 'at'>): void {
    this.entries.push({ at: new Date().toISOString(), ...entry } as ConversationEntry);
    this.changed();
  }

  setIncomingCallDelivered(delivered: boolean): void {
    this.incomingCallDelivered = delivered;
    this.changed();
  }

  connected(callConnectionId: string | undefined, description: string): void {
    if (this.state === 'ended') return;
    this.state = 'connected';
    if (callConnectionId) this.callConnectionId = callConnectionId;
    this.record({ kind: 'callEvent', description });
  }

  end(reason: EndReason): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endReason = reason;
    this.endedAt = new Date().toISOString();
    this.awaitingInput = false;
    this.record({ kind: 'callEvent', description: `call ended: ${reason}` });
  }

  /**
   * Notes something the party heard. Returns true when that completed a `waitForPrompt` step
   * followed by `hangUp`: the party hangs up now.
   */
  heard(entry: HeardEntry): boolean {
    this.record({ kind: 'heard', ...entry });
    const step = this.script[this.cursor];
    const heardText = `${entry.text ?? ''} ${entry.ssml ?? ''}`.toLowerCase();
    if (step && 'waitForPrompt' in step && heardText.includes(step.waitForPrompt.toLowerCase())) {
      this.cursor++;
      const next = this.script[this.cursor];
      if (next && 'hangUp' in next) {
        this.cursor++;
        return true;
      }
    }
    return false;
  }

  /** Takes the script step for a recognize that just started listening to this party. */
  reactToRecognize(): RecognizeReaction {
    const step = this.script[this.cursor];
    if (step === undefined) {
      switch (this.init.whenScriptEnds) {
        case 'hangUp':
          return { kind: 'hangUp' };
        case 'silence':
          return { kind: 'input', input: { kind: 'silence' }, bargeIn: false };
        case 'wait':
          return { kind: 'waitLive' };
      }
    }
    if ('waitForPrompt' in step) return { kind: 'input', input: { kind: 'silence' }, bargeIn: false };
    this.cursor++;
    if ('hangUp' in step) return { kind: 'hangUp' };
    if ('silence' in step) return { kind: 'input', input: { kind: 'silence' }, bargeIn: false };
    if ('say' in step) {
      return {
        kind: 'input',
        input: { kind: 'speech', text: step.say, confidence: step.confidence ?? defaultSpeechConfidence },
        bargeIn: step.bargeIn ?? false,
      };
    }
    return { kind: 'input', input: { kind: 'keys', keys: step.press }, bargeIn: step.bargeIn ?? false };
  }

  /** Logs what the party did in answer to a recognize (or live, outside one). */
  recordInput(input: CallerInput): void {
    switch (input.kind) {
      case 'speech':
        this.record({ kind: 'said', text: input.text, confidence: input.confidence });
        return;
      case 'keys':
        this.record({ kind: 'pressed', keys: input.keys });
        return;
      case 'silence':
        this.record({ kind: 'silent' });
        return;
    }
  }

  setAwaitingInput(awaiting: boolean): void {
    if (this.awaitingInput === awaiting) return;
    this.awaitingInput = awaiting;
    this.changed();
  }

  speechInput(text: string, confidence?: number): CallerInput {
    return { kind: 'speech', text, confidence: confidence ?? defaultSpeechConfidence };
  }

  /** Resolves with the conversation once `predicate` holds (checked now and after every change). */
  waitFor(predicate: (conversation: Conversation) => boolean, timeoutInMs?: number): Promise<Conversation> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const snapshot = this.snapshot();
        if (!predicate(snapshot)) return false;
        cleanup();
        resolve(snapshot);
        return true;
      };
      const timer =
        timeoutInMs === undefined
          ? undefined
          : setTimeout(() => {
              cleanup();
              reject(new Error(`timed out after ${timeoutInMs} ms waiting on simulated call ${this.simulatedCallId}`));
            }, timeoutInMs).unref();
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        this.emitter.off('changed', check);
      };
      if (!check()) this.emitter.on('changed', check);
    });
  }

  private changed(): void {
    this.emitter.emit('changed');
  }
}

/** What a party heard, as the service reports it. */
export type HeardEntry = Omit<Extract<ConversationEntry, { kind: 'heard' }>, 'at' | 'kind'>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
