import { z } from 'zod';

/**
 * Request bodies of the Call Automation REST API as the SDK serializes them (the generated
 * mappers of @azure/communication-call-automation). Unknown members pass: the SDK sends options
 * the emulator does not model, and real Call Automation ignores what it does not need.
 */

const identifierModel = z
  .looseObject({
    kind: z.string().optional(),
    rawId: z.string().optional(),
    communicationUser: z.looseObject({ id: z.string().min(1) }).optional(),
    phoneNumber: z.looseObject({ value: z.string().min(1) }).optional(),
    microsoftTeamsUser: z.looseObject({ userId: z.string().min(1), cloud: z.string().optional() }).optional(),
    microsoftTeamsApp: z.looseObject({ appId: z.string().min(1) }).optional(),
  })
  .refine(
    (m) => Boolean(m.rawId || m.communicationUser || m.phoneNumber || m.microsoftTeamsUser || m.microsoftTeamsApp),
    'an identifier needs rawId or a typed member',
  );

const phoneNumberModel = z.looseObject({ value: z.string().min(1) });

const playSource = z
  .looseObject({
    kind: z.enum(['file', 'text', 'ssml']),
    file: z.looseObject({ uri: z.string() }).optional(),
    text: z
      .looseObject({
        text: z.string(),
        sourceLocale: z.string().optional(),
        voiceKind: z.string().optional(),
        voiceName: z.string().optional(),
      })
      .optional(),
    ssml: z.looseObject({ ssmlText: z.string() }).optional(),
    playSourceCacheId: z.string().optional(),
  })
  .refine((s) => s[s.kind] !== undefined, { message: 'the play source kind names a missing member' });

export type PlaySourceModel = z.infer<typeof playSource>;

const operation = {
  operationContext: z.string().optional(),
  operationCallbackUri: z.url().optional(),
};

const absoluteUrl = z.url({ error: 'must be an absolute URL' });

const dtmfTone = z.enum([
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
  'a', 'b', 'c', 'd', 'pound', 'asterisk',
]);

const mediaStreamingOptions = z.looseObject({ transportType: z.string(), startMediaStreaming: z.boolean().optional() });
const transcriptionOptions = z.looseObject({ transportType: z.string(), locale: z.string().optional(), startTranscription: z.boolean().optional() });

export const callAutomationRequestSchemas = {
  createCall: z.looseObject({
    targets: z.array(identifierModel).min(1),
    mediaStreamingOptions: mediaStreamingOptions.optional(),
    transcriptionOptions: transcriptionOptions.optional(),
    sourceCallerIdNumber: phoneNumberModel.optional(),
    sourceDisplayName: z.string().optional(),
    source: z.looseObject({ id: z.string() }).optional(),
    operationContext: z.string().optional(),
    callbackUri: absoluteUrl,
  }),
  answerCall: z.looseObject({
    incomingCallContext: z.string().min(1),
    callbackUri: absoluteUrl,
    operationContext: z.string().optional(),
    answeredBy: z.looseObject({ id: z.string() }).optional(),
    mediaStreamingOptions: mediaStreamingOptions.optional(),
    transcriptionOptions: transcriptionOptions.optional(),
  }),
  redirectCall: z.looseObject({
    incomingCallContext: z.string().min(1),
    target: identifierModel,
  }),
  rejectCall: z.looseObject({
    incomingCallContext: z.string().min(1),
    callRejectReason: z.enum(['none', 'busy', 'forbidden']).optional(),
  }),
  transferToParticipant: z.looseObject({
    targetParticipant: identifierModel,
    transferee: identifierModel.optional(),
    ...operation,
  }),
  addParticipant: z.looseObject({
    participantToAdd: identifierModel,
    sourceCallerIdNumber: phoneNumberModel.optional(),
    sourceDisplayName: z.string().optional(),
    invitationTimeoutInSeconds: z.number().int().min(0).max(180).optional(),
    ...operation,
  }),
  removeParticipant: z.looseObject({ participantToRemove: identifierModel, ...operation }),
  mute: z.looseObject({ targetParticipants: z.array(identifierModel).min(1), operationContext: z.string().optional() }),
  cancelAddParticipant: z.looseObject({ invitationId: z.string().min(1), ...operation }),
  play: z.looseObject({
    playSources: z.array(playSource).min(1),
    playTo: z.array(identifierModel).optional(),
    interruptCallMediaOperation: z.boolean().optional(),
    playOptions: z.looseObject({ loop: z.boolean() }).optional(),
    ...operation,
  }),
  recognize: z.looseObject({
    recognizeInputType: z.enum(['dtmf', 'speech', 'speechOrDtmf', 'choices']),
    playPrompt: playSource.optional(),
    playPrompts: z.array(playSource).optional(),
    interruptCallMediaOperation: z.boolean().optional(),
    recognizeOptions: z.looseObject({
      interruptPrompt: z.boolean().optional(),
      initialSilenceTimeoutInSeconds: z.number().min(0).max(300).optional(),
      targetParticipant: identifierModel,
      speechLanguage: z.string().optional(),
      dtmfOptions: z
        .looseObject({
          interToneTimeoutInSeconds: z.number().min(1).max(60).optional(),
          maxTonesToCollect: z.number().int().min(1).optional(),
          stopTones: z.array(dtmfTone).optional(),
        })
        .optional(),
      choices: z
        .array(z.looseObject({ label: z.string().min(1), phrases: z.array(z.string()), tone: dtmfTone.optional() }))
        .optional(),
      speechOptions: z.looseObject({ endSilenceTimeoutInMs: z.number().optional() }).optional(),
    }),
    ...operation,
  }),
  continuousDtmfRecognition: z.looseObject({ targetParticipant: identifierModel, ...operation }),
  sendDtmfTones: z.looseObject({ tones: z.array(dtmfTone).min(1), targetParticipant: identifierModel, ...operation }),
  hold: z.looseObject({ targetParticipant: identifierModel, playSourceInfo: playSource.optional(), ...operation }),
  unhold: z.looseObject({ targetParticipant: identifierModel, ...operation }),
  mediaStreaming: z.looseObject({ ...operation }),
  transcription: z.looseObject({ locale: z.string().optional(), ...operation }),
  startRecording: z.looseObject({
    callLocator: z
      .looseObject({ kind: z.string().optional(), serverCallId: z.string().optional(), groupCallId: z.string().optional() })
      .optional(),
    callConnectionId: z.string().optional(),
    recordingStateCallbackUri: absoluteUrl.optional(),
    recordingContentType: z.string().optional(),
    recordingChannelType: z.string().optional(),
    recordingFormatType: z.string().optional(),
    pauseOnStart: z.boolean().optional(),
    /** Bring your own storage: where the recording files go instead of the 24-hour temporary store. */
    externalStorage: z
      .looseObject({ recordingStorageKind: z.string(), recordingDestinationContainerUrl: absoluteUrl.optional() })
      .optional(),
  }),
} as const;

export type CallAutomationRequests = {
  [K in keyof typeof callAutomationRequestSchemas]: z.infer<(typeof callAutomationRequestSchemas)[K]>;
};

export type DtmfToneName = z.infer<typeof dtmfTone>;
export type IdentifierModelInput = z.infer<typeof identifierModel>;
