import { randomUUID } from 'node:crypto';
import { acsResults, type ResultInformation } from './acs-result-codes.js';
import type { PlaySourceModel } from './call-automation-request-schemas.js';
import type { CallEvents } from './call-events.js';
import { participantKey, type CallRecord, type MediaOperation, type RunningMediaOperation } from './call-state.js';
import type { CallTiming } from './call-timing.js';
import type { MediaFiles } from './media-files.js';
import { phoneIdentifier, sameIdentifier, type CommunicationIdentifier } from './communication-identifier.js';
import { decideRecognizeOutcome, type CallerInput } from './recognize-outcome.js';
import type { HeardEntry, SimulatedCaller } from './simulated-caller.js';

type PlayOperation = Extract<MediaOperation, { kind: 'play' }>;
type RecognizeOperation = Extract<MediaOperation, { kind: 'recognize' }>;
export type NewMediaOperation = DistributiveOmit<MediaOperation, 'operationId'>;

/**
 * Play and recognize, as Call Automation runs them: one media operation at a time per call, the
 * next ones queued (unless `interruptCallMediaOperation` cancels the running one), each reporting
 * Started / Completed / Failed / Canceled callbacks. What a recognize hears comes from the
 * simulated party it listens to: its script, or live input within the silence timeout.
 */
export class MediaOperations {
  constructor(
    private readonly events: CallEvents,
    private readonly timing: CallTiming,
    /** The party hangs up (a `hangUp` step, or a `waitForPrompt` that matched). */
    private readonly onPartyHangsUp: (call: CallRecord, party: SimulatedCaller) => void,
    private readonly files: MediaFiles,
  ) {}

  enqueue(call: CallRecord, operation: NewMediaOperation, interrupt: boolean): void {
    if (interrupt && call.media.current) {
      const running = call.media.current;
      call.media.current = undefined;
      this.cancel(call, running);
    }
    call.media.queue.push({ ...operation, operationId: randomUUID() } as MediaOperation);
    if (!call.media.current) this.startNext(call);
  }

  /** cancelAllMediaOperations: the running and the queued operations all report Canceled. */
  cancelAll(call: CallRecord): void {
    const running = call.media.current;
    const queued = call.media.queue.splice(0);
    call.media.current = undefined;
    if (running) this.cancel(call, running);
    for (const operation of queued) this.emitCanceled(call, operation);
  }

  /** The app left the call: everything stops without a callback. */
  stopAll(call: CallRecord): void {
    const running = call.media.current;
    call.media.current = undefined;
    call.media.queue.length = 0;
    running?.cancelTimers();
    for (const party of call.phoneParties.values()) party.setAwaitingInput(false);
  }

  /** Someone left: a recognize listening to them stops without a callback, and the queue moves on. */
  participantLeft(call: CallRecord, identifier: CommunicationIdentifier): void {
    const running = call.media.current;
    if (running?.operation.kind === 'recognize' && sameIdentifier(running.operation.target, identifier)) {
      running.cancelTimers();
      this.finish(call);
    }
  }

  /** Live input answers a recognize waiting for this party; returns false when none was waiting. */
  liveInput(call: CallRecord, party: SimulatedCaller, input: CallerInput): boolean {
    const running = call.media.current;
    if (
      !party.isAwaitingInput ||
      running?.operation.kind !== 'recognize' ||
      !sameIdentifier(running.operation.target, phoneIdentifier(party.phoneNumber))
    ) {
      return false;
    }
    running.cancelTimers();
    this.completeRecognize(call, running, running.operation, input, 0);
    return true;
  }

  hear(
    call: CallRecord,
    party: SimulatedCaller,
    source: PlaySourceModel,
    via: 'play' | 'recognizePrompt' | 'holdMusic',
    extra: { readonly loop?: boolean; readonly operationContext?: string | undefined },
  ): void {
    this.noteHeard(call, party, {
      via,
      ...(source.kind === 'text' && source.text ? { text: source.text.text } : {}),
      ...(source.kind === 'ssml' && source.ssml ? { ssml: source.ssml.ssmlText } : {}),
      ...(source.kind === 'file' && source.file ? { fileUrl: source.file.uri } : {}),
      ...(extra.loop ? { loop: true } : {}),
      ...(extra.operationContext !== undefined ? { operationContext: extra.operationContext } : {}),
    });
  }

  noteHeard(call: CallRecord, party: SimulatedCaller, entry: HeardEntry): void {
    if (party.heard(entry)) this.events.after(call, 0, () => this.onPartyHangsUp(call, party));
  }

  private startNext(call: CallRecord): void {
    const operation = call.media.queue.shift();
    if (!operation || call.state === 'ended') return;
    const running: RunningMediaOperation = { operation, cancelTimers: () => undefined };
    call.media.current = running;
    const run = () => {
      if (call.media.current !== running) return;
      if (operation.kind === 'play') this.runPlay(call, running, operation);
      else this.runRecognize(call, running, operation);
    };
    running.cancelTimers = this.events.after(call, 0, () => {
      if (call.media.current !== running) return;
      // Audio files are fetched as the operation starts; a cancel meanwhile wins.
      const sources = operation.kind === 'play' ? operation.sources : operation.request.playPrompts ?? (operation.request.playPrompt ? [operation.request.playPrompt] : []);
      const fetched = this.files.fetchAll(sources.flatMap((source) => (source.kind === 'file' && source.file?.uri ? [source.file.uri] : [])));
      if (fetched) void fetched.then(run);
      else run();
    });
  }

  private finish(call: CallRecord): void {
    call.media.current = undefined;
    this.startNext(call);
  }

  private cancel(call: CallRecord, running: RunningMediaOperation): void {
    running.cancelTimers();
    if (running.operation.kind === 'recognize') {
      call.phoneParties.get(participantKey(running.operation.target))?.setAwaitingInput(false);
    }
    this.emitCanceled(call, running.operation);
  }

  private emitCanceled(call: CallRecord, operation: MediaOperation): void {
    const options = optionsOf(operation);
    if (operation.kind === 'play') this.events.emit(call, 'PlayCanceled', {}, { ...options, resultInformation: acsResults.playCanceled });
    else this.events.emit(call, 'RecognizeCanceled', {}, { ...options, resultInformation: acsResults.recognizeCanceled });
  }

  private runPlay(call: CallRecord, running: RunningMediaOperation, operation: PlayOperation): void {
    const options = optionsOf(operation);
    const failedIndex = operation.sources.findIndex((source) => playSourceProblem(source, this.files) !== undefined);
    if (failedIndex >= 0) {
      this.events.emit(call, 'PlayFailed', { failedPlaySourceIndex: failedIndex }, {
        ...options,
        resultInformation: playSourceProblem(operation.sources[failedIndex]!, this.files)!,
      });
      this.finish(call);
      return;
    }
    this.events.emit(call, 'PlayStarted', {}, { ...options, resultInformation: acsResults.actionCompleted });
    for (const party of this.listenersOf(call, operation.playTo)) {
      for (const source of operation.sources) {
        this.hear(call, party, source, 'play', { loop: operation.loop, operationContext: operation.operationContext });
      }
    }
    if (operation.loop) return;
    running.cancelTimers = this.events.after(call, this.durationOf(operation.sources), () => {
      if (call.media.current !== running) return;
      this.events.emit(call, 'PlayCompleted', {}, { ...options, resultInformation: acsResults.actionCompleted });
      this.finish(call);
    });
  }

  private runRecognize(call: CallRecord, running: RunningMediaOperation, operation: RecognizeOperation): void {
    const request = operation.request;
    const prompts = request.playPrompts ?? (request.playPrompt ? [request.playPrompt] : []);
    const failedIndex = prompts.findIndex((prompt) => playSourceProblem(prompt, this.files) !== undefined);
    if (failedIndex >= 0) {
      this.events.emit(call, 'RecognizeFailed', { failedPlaySourceIndex: failedIndex }, {
        ...optionsOf(operation),
        resultInformation: acsResults.recognizePlayPromptFailed,
      });
      this.finish(call);
      return;
    }
    const party = call.phoneParties.get(participantKey(operation.target));
    for (const prompt of prompts) {
      if (!party || party.isEnded) break;
      this.hear(call, party, prompt, 'recognizePrompt', { operationContext: operation.operationContext });
    }
    if (call.media.current !== running) return;
    // Only simulated PSTN parties answer; anyone else (a Teams user) is silence to the recognizer.
    const reaction = party && !party.isEnded ? party.reactToRecognize() : { kind: 'input' as const, input: { kind: 'silence' as const }, bargeIn: false };
    const promptInMs = this.durationOf(prompts);
    const responseDelayInMs = this.timing.callerResponseDelayInMs;
    switch (reaction.kind) {
      case 'hangUp':
        running.cancelTimers = this.events.after(call, promptInMs + responseDelayInMs, () => party && this.onPartyHangsUp(call, party));
        return;
      case 'input': {
        const interrupts = reaction.bargeIn && (request.recognizeOptions.interruptPrompt ?? false);
        running.cancelTimers = this.events.after(call, (interrupts ? 0 : promptInMs) + responseDelayInMs, () =>
          this.completeRecognize(call, running, operation, reaction.input, this.timing.silenceTimeoutScale),
        );
        return;
      }
      case 'waitLive': {
        // A live caller may answer during the prompt when it can be interrupted; the initial
        // silence timeout counts from the end of the prompt either way.
        const listenAfterInMs = request.recognizeOptions.interruptPrompt ? 0 : promptInMs;
        running.cancelTimers = this.events.after(call, listenAfterInMs, () => {
          party?.setAwaitingInput(true);
          const silenceInMs =
            promptInMs - listenAfterInMs + (request.recognizeOptions.initialSilenceTimeoutInSeconds ?? 5) * 1000 * this.timing.liveSilenceTimeoutScale;
          running.cancelTimers = this.events.after(call, silenceInMs, () => this.completeRecognize(call, running, operation, { kind: 'silence' }, 0));
        });
        return;
      }
    }
  }

  private completeRecognize(
    call: CallRecord,
    running: RunningMediaOperation,
    operation: RecognizeOperation,
    input: CallerInput,
    silenceScale: number,
  ): void {
    if (call.media.current !== running) return;
    const party = call.phoneParties.get(participantKey(operation.target));
    party?.setAwaitingInput(false);
    party?.recordInput(input);
    const outcome = decideRecognizeOutcome(operation.request, input);
    running.cancelTimers = this.events.after(call, outcome.afterSilenceInSeconds * 1000 * silenceScale, () => {
      if (call.media.current !== running) return;
      const options = { ...optionsOf(operation), resultInformation: outcome.resultInformation };
      if (outcome.type === 'RecognizeCompleted') this.events.emit(call, 'RecognizeCompleted', outcome.data, options);
      else this.events.emit(call, 'RecognizeFailed', {}, options);
      this.finish(call);
    });
  }

  private listenersOf(call: CallRecord, playTo: readonly CommunicationIdentifier[]): SimulatedCaller[] {
    return [...call.phoneParties.entries()]
      .filter(([key, party]) => !party.isEnded && call.participants.has(key) && (playTo.length === 0 || playTo.some((t) => participantKey(t) === key)))
      .map(([, party]) => party);
  }

  private durationOf(sources: readonly PlaySourceModel[]): number {
    let total = 0;
    for (const source of sources) {
      total += source.kind === 'file' ? this.timing.filePlayDurationInMs : spokenText(source).length * this.timing.playDurationPerCharacterInMs;
    }
    return total;
  }
}

function optionsOf(operation: MediaOperation) {
  return { operationContext: operation.operationContext, operationCallbackUri: operation.operationCallbackUri };
}

function spokenText(source: PlaySourceModel): string {
  if (source.kind === 'text') return source.text?.text ?? '';
  if (source.kind === 'ssml') return (source.ssml?.ssmlText ?? '').replace(/<[^>]*>/g, '');
  return '';
}

/**
 * Why a play source cannot be played, or undefined. Microsoft's troubleshooting tips: "Currently
 * only Wave file (.wav) format is supported for audio files"; the emulator judges by the URL.
 */
export function playSourceProblem(source: PlaySourceModel, files: MediaFiles): ResultInformation | undefined {
  switch (source.kind) {
    case 'file':
      return files.problemOf(source.file?.uri ?? '');
    case 'text':
    case 'ssml':
      return spokenText(source).trim() === '' ? acsResults.playSourceEmpty : undefined;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
