import { z } from 'zod';
import type { CallEvent } from '../call-flow/call-events.js';

/** A Call Automation callback body: an array of CloudEvents (one, in practice). */
const cloudEventSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  source: z.string().optional(),
  time: z.string().optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export const callbackBodySchema = z.array(cloudEventSchema).min(1).max(100);
export type CloudEventLike = z.infer<typeof cloudEventSchema>;

const resultInformation = z
  .object({ code: z.number().default(0), subCode: z.number().default(0), message: z.string().default('') })
  .partial()
  .default({});

const common = z.object({
  operationContext: z.string().optional(),
  callConnectionId: z.string().optional(),
  resultInformation,
});

const recognizeCompleted = common.extend({
  recognitionType: z.enum(['dtmf', 'speech', 'choices']).or(z.string()),
  dtmfResult: z.object({ tones: z.array(z.string()).default([]) }).optional(),
  speechResult: z.object({ speech: z.string().default(''), confidence: z.number().optional() }).optional(),
  choiceResult: z.object({ label: z.string(), recognizedPhrase: z.string().optional() }).optional(),
});

const participantsUpdated = common.extend({
  sequenceNumber: z.number().int().optional(),
  participants: z
    .array(z.object({ identifier: z.object({ rawId: z.string() }).passthrough() }).passthrough())
    .default([]),
});

const participantResult = common.extend({
  participant: z.object({ rawId: z.string() }).passthrough(),
});

/** ACS names DTMF tones by word in callbacks; the bot works with the keypad characters. */
const toneCharacters: Readonly<Record<string, string>> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  pound: '#', asterisk: '*', a: 'A', b: 'B', c: 'C', d: 'D',
};

export function toneToCharacter(tone: string): string {
  return toneCharacters[tone.toLowerCase()] ?? tone;
}

/** ACS result sub-codes the flow reacts to (resultInformation.subCode). */
const subCodes = { initialSilenceTimeout: 8510, interToneTimeout: 8532, canceled: 8508 } as const;

/**
 * Translates one CloudEvent into a CallEvent. Kinds the bot does not use become UnknownCallEvent,
 * so a new ACS event type is recorded instead of failing the callback (a 5xx makes ACS retry).
 * Throws only when a known type's data is malformed.
 */
export function toCallEvent(cloudEvent: CloudEventLike): CallEvent {
  const base = {
    eventId: cloudEvent.id,
    occurredAt: cloudEvent.time ?? new Date(0).toISOString(),
  };
  const shortType = cloudEvent.type.replace(/^Microsoft\.Communication\./, '');
  const withContext = (data: { operationContext?: string | undefined }) =>
    data.operationContext === undefined ? base : { ...base, operationContext: data.operationContext };
  switch (shortType) {
    case 'CallConnected': {
      const data = common.extend({ correlationId: z.string().optional() }).parse(cloudEvent.data);
      return { ...withContext(data), kind: 'CallConnected', callConnectionId: data.callConnectionId ?? '', ...(data.correlationId ? { correlationId: data.correlationId } : {}) };
    }
    case 'CallDisconnected':
      return { ...withContext(common.parse(cloudEvent.data)), kind: 'CallDisconnected' };
    case 'PlayCompleted':
      return { ...withContext(common.parse(cloudEvent.data)), kind: 'PlayCompleted' };
    case 'PlayCanceled':
      return { ...withContext(common.parse(cloudEvent.data)), kind: 'PlayCanceled' };
    case 'PlayFailed': {
      const data = common.parse(cloudEvent.data);
      return { ...withContext(data), kind: 'PlayFailed', ...result(data.resultInformation) };
    }
    case 'RecognizeCompleted': {
      const data = recognizeCompleted.parse(cloudEvent.data);
      if (data.recognitionType === 'choices' && data.choiceResult) {
        return { ...withContext(data), kind: 'ChoiceRecognized', label: data.choiceResult.label, phrase: data.choiceResult.recognizedPhrase };
      }
      if (data.recognitionType === 'speech' && data.speechResult) {
        return { ...withContext(data), kind: 'SpeechRecognized', text: data.speechResult.speech, confidence: data.speechResult.confidence ?? 1 };
      }
      if (data.recognitionType === 'dtmf' && data.dtmfResult) {
        return { ...withContext(data), kind: 'KeysPressed', tones: data.dtmfResult.tones.map(toneToCharacter).join('') };
      }
      return { ...withContext(data), kind: 'RecognitionFailed', code: 200, subCode: 0, message: `Unrecognized result type ${data.recognitionType}` };
    }
    case 'RecognizeFailed': {
      const data = common.parse(cloudEvent.data);
      const failure = result(data.resultInformation);
      if (failure.subCode === subCodes.initialSilenceTimeout || failure.subCode === subCodes.interToneTimeout) {
        return { ...withContext(data), kind: 'RecognitionTimedOut' };
      }
      return { ...withContext(data), kind: 'RecognitionFailed', ...failure };
    }
    case 'RecognizeCanceled':
      return { ...withContext(common.parse(cloudEvent.data)), kind: 'RecognitionCanceled' };
    case 'CreateCallFailed': {
      const data = common.parse(cloudEvent.data);
      const failure = result(data.resultInformation);
      return { ...withContext(data), kind: 'CallNotAnswered', code: failure.code, subCode: failure.subCode };
    }
    case 'AddParticipantSucceeded': {
      const data = participantResult.parse(cloudEvent.data);
      return { ...withContext(data), kind: 'ParticipantAdded', participantRawId: data.participant.rawId };
    }
    case 'AddParticipantFailed': {
      const data = participantResult.parse(cloudEvent.data);
      return { ...withContext(data), kind: 'AddParticipantFailed', participantRawId: data.participant.rawId, ...result(data.resultInformation) };
    }
    case 'CallTransferAccepted':
      return { ...withContext(common.parse(cloudEvent.data)), kind: 'CallTransferAccepted' };
    case 'CallTransferFailed': {
      const data = common.parse(cloudEvent.data);
      return { ...withContext(data), kind: 'CallTransferFailed', ...result(data.resultInformation) };
    }
    case 'ParticipantsUpdated': {
      const data = participantsUpdated.parse(cloudEvent.data);
      const participantIds = data.participants.map((p) => p.identifier.rawId);
      return { ...withContext(data), kind: 'ParticipantsUpdated', participantIds, ...(data.sequenceNumber === undefined ? {} : { sequenceNumber: data.sequenceNumber }) };
    }
    default:
      return { ...withContext(common.safeParse(cloudEvent.data).data ?? {}), kind: 'UnknownCallEvent', type: cloudEvent.type };
  }
}

function result(info: { code?: number | undefined; subCode?: number | undefined; message?: string | undefined }) {
  return { code: info.code ?? 0, subCode: info.subCode ?? 0, message: info.message ?? '' };
}
