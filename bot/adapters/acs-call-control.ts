import {
  CallAutomationClient,
  type CallAutomationClientOptions,
  type DtmfTone,
  type SsmlSource,
  type TextSource,
} from '@azure/communication-call-automation';
import { createIdentifierFromRawId } from '@azure/communication-common';
import { DefaultAzureCredential } from '@azure/identity';
import { assertNever } from '../assert-never.js';
import type { Prompt } from '../call-flow/call-commands.js';
import { CallGone, type AgentCallControl, type CallControl, type MediaCommand } from '../ports.js';

export interface AcsCallControlOptions {
  /** Local emulator: `endpoint=http://...;accesskey=...`. */
  readonly connectionString?: string | undefined;
  /** Azure: the ACS endpoint, reached with the managed identity. */
  readonly endpoint?: string | undefined;
  readonly cognitiveServicesEndpoint?: string | undefined;
  /**
   * A blob container Call Automation writes recordings into with its own managed identity (bring
   * your own storage); absent, recordings stay in its temporary storage, deleted after 24 hours.
   */
  readonly recordingsContainerUrl?: string | undefined;
  /** Retries of the SDK's own pipeline; tests set 0 so faults surface at once. */
  readonly maxRetries?: number;
}

const toneNames: Readonly<Record<string, DtmfTone>> = {
  '0': 'zero' as DtmfTone, '1': 'one' as DtmfTone, '2': 'two' as DtmfTone, '3': 'three' as DtmfTone,
  '4': 'four' as DtmfTone, '5': 'five' as DtmfTone, '6': 'six' as DtmfTone, '7': 'seven' as DtmfTone,
  '8': 'eight' as DtmfTone, '9': 'nine' as DtmfTone, '#': 'pound' as DtmfTone, '*': 'asterisk' as DtmfTone,
};

function toneName(character: string): DtmfTone {
  const tone = toneNames[character];
  if (!tone) throw new Error(`Not a DTMF key: ${character}`);
  return tone;
}

function playSource(prompt: Prompt): TextSource | SsmlSource {
  return prompt.ssml
    ? { kind: 'ssmlSource', ssmlText: prompt.text }
    : { kind: 'textSource', text: prompt.text, voiceName: prompt.voice, sourceLocale: prompt.language };
}

/** CallControl on ACS Call Automation through the real SDK. */
export class AcsCallControl implements CallControl, AgentCallControl {
  private readonly client: CallAutomationClient;

  constructor(private readonly options: AcsCallControlOptions) {
    const insecure = options.connectionString?.toLowerCase().includes('endpoint=http://') ?? false;
    const clientOptions: CallAutomationClientOptions = {
      // A caller is listening: retry soon (about 0.25, 0.5, 1 s with jitter) rather than the pipeline's 1, 2, 4 s.
      retryOptions: { maxRetries: options.maxRetries ?? 3, retryDelayInMs: 250, maxRetryDelayInMs: 2000 },
      // The local emulator speaks plain http on loopback (keep 127.0.0.1 in NO_PROXY).
      ...(insecure ? { allowInsecureConnection: true } : {}),
    };
    if (options.connectionString) {
      this.client = new CallAutomationClient(options.connectionString, clientOptions);
    } else if (options.endpoint) {
      this.client = new CallAutomationClient(options.endpoint, new DefaultAzureCredential(), clientOptions);
    } else {
      throw new Error('AcsCallControl needs a connection string or an endpoint');
    }
  }

  async answerCall(options: { incomingCallContext: string; callbackUrl: string; operationContext: string }) {
    const result = await this.client.answerCall(options.incomingCallContext, options.callbackUrl, {
      operationContext: options.operationContext,
      ...(this.options.cognitiveServicesEndpoint
        ? { callIntelligenceOptions: { cognitiveServicesEndpoint: this.options.cognitiveServicesEndpoint } }
        : {}),
    });
    const callConnectionId = result.callConnectionProperties.callConnectionId;
    if (!callConnectionId) throw new Error('answerCall returned no callConnectionId');
    return { callConnectionId };
  }

  async addTeamsUser(options: { callConnectionId: string; teamsUserId: string; invitationTimeoutInSeconds: number; operationContext: string; callbackUrl: string }): Promise<void> {
    await callGoneAs404(options.callConnectionId, () =>
      this.client.getCallConnection(options.callConnectionId).addParticipant(
        { targetParticipant: { microsoftTeamsUserId: options.teamsUserId } },
        { invitationTimeoutInSeconds: options.invitationTimeoutInSeconds, operationContext: options.operationContext, operationCallbackUrl: options.callbackUrl },
      ),
    );
  }

  async removeTeamsUser(options: { callConnectionId: string; teamsUserId: string; operationContext: string }): Promise<void> {
    await this.client.getCallConnection(options.callConnectionId).removeParticipant(
      { microsoftTeamsUserId: options.teamsUserId },
      { operationContext: options.operationContext },
    );
  }

  async createCall(options: { phoneNumber: string; fromNumber: string; callbackUrl: string; operationContext: string }): Promise<void> {
    await this.client.createCall(
      { targetParticipant: { phoneNumber: options.phoneNumber }, sourceCallIdNumber: { phoneNumber: options.fromNumber } },
      options.callbackUrl,
      {
        operationContext: options.operationContext,
        ...(this.options.cognitiveServicesEndpoint ? { callIntelligenceOptions: { cognitiveServicesEndpoint: this.options.cognitiveServicesEndpoint } } : {}),
      },
    );
  }

  async startRecording(options: { callConnectionId: string; callbackUrl: string }): Promise<string> {
    const result = await this.client.getCallRecording().start({
      callConnectionId: options.callConnectionId,
      recordingStateCallbackEndpointUrl: options.callbackUrl,
      recordingContent: 'audio' as never,
      recordingChannel: 'mixed' as never,
      recordingFormat: 'wav' as never,
      ...(this.options.recordingsContainerUrl
        ? { recordingStorage: { recordingStorageKind: 'azureBlobStorage', recordingDestinationContainerUrl: this.options.recordingsContainerUrl } }
        : {}),
    });
    return result.recordingId;
  }

  async stopRecording(recordingId: string): Promise<void> {
    await this.client.getCallRecording().stop(recordingId);
  }

  async rejectCall(options: { incomingCallContext: string; reason: 'none' | 'busy' | 'forbidden' }) {
    await this.client.rejectCall(options.incomingCallContext, { callRejectReason: options.reason });
  }

  execute(callConnectionId: string, command: MediaCommand, context: { callbackUrl: string; callerRawId: string }): Promise<void> {
    return callGoneAs404(callConnectionId, () => this.executeOnce(callConnectionId, command, context));
  }

  private async executeOnce(callConnectionId: string, command: MediaCommand, context: { callbackUrl: string; callerRawId: string }): Promise<void> {
    const connection = this.client.getCallConnection(callConnectionId);
    switch (command.kind) {
      case 'PlayPrompt':
        await connection.getCallMedia().playToAll([playSource(command.prompt)], {
          operationContext: command.operationContext,
          operationCallbackUrl: context.callbackUrl,
        });
        return;
      case 'PlayAudio':
        await connection.getCallMedia().playToAll([{ kind: 'fileSource', url: command.url }], {
          loop: command.loop,
          operationContext: command.operationContext,
          operationCallbackUrl: context.callbackUrl,
        });
        return;
      case 'StartRecognition': {
        const target = createIdentifierFromRawId(context.callerRawId);
        const common = {
          playPrompt: playSource(command.prompt),
          interruptPrompt: command.interruptPrompt,
          initialSilenceTimeoutInSeconds: command.initialSilenceTimeoutInSeconds,
          operationContext: command.operationContext,
          operationCallbackUrl: context.callbackUrl,
        };
        const mode = command.mode;
        switch (mode.kind) {
          case 'speechOrDtmf':
            await connection.getCallMedia().startRecognizing(target, {
              ...common, kind: 'callMediaRecognizeSpeechOrDtmfOptions', maxTonesToCollect: mode.maxTonesToCollect,
              speechLanguage: command.prompt.language, endSilenceTimeoutInSeconds: command.endSilenceTimeoutInSeconds ?? 1,
            });
            return;
          case 'dtmf':
            await connection.getCallMedia().startRecognizing(target, {
              ...common, kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: mode.maxTonesToCollect,
              stopDtmfTones: mode.stopTones.map(toneName), interToneTimeoutInSeconds: 5,
            });
            return;
          case 'choices':
            await connection.getCallMedia().startRecognizing(target, {
              ...common, kind: 'callMediaRecognizeChoiceOptions', speechLanguage: command.prompt.language,
              choices: mode.choices.map((c) => ({ label: c.label, phrases: [...c.phrases], ...(c.tone ? { tone: toneName(c.tone) } : {}) })),
            });
            return;
          default:
            return assertNever(mode, 'recognition mode');
        }
      }
      case 'CancelMedia':
        await connection.getCallMedia().cancelAllOperations();
        return;
      case 'TransferToPhone':
        await connection.transferCallToParticipant(
          { phoneNumber: command.phoneNumber },
          { transferee: createIdentifierFromRawId(context.callerRawId), operationContext: command.operationContext, operationCallbackUrl: context.callbackUrl },
        );
        return;
      case 'HangUp':
        await connection.hangUp(true);
        return;
      default:
        return assertNever(command, 'call command');
    }
  }
}

/** Call Automation answers 404 for a call connection that has ended. */
async function callGoneAs404(callConnectionId: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if ((error as { statusCode?: unknown } | null)?.statusCode === 404) throw new CallGone(callConnectionId, { cause: error });
    throw error;
  }
}
