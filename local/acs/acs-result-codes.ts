/** `resultInformation` of a Call Automation callback event. */
export interface ResultInformation {
  readonly code: number;
  readonly subCode: number;
  readonly message: string;
}

/** The operation named in the failure message, as in the recorded `addParticipants failed for participant ...`. */
export type InvitingOperation = 'addParticipants' | 'transferCall' | 'createCall' | 'redirectCall';

function result(code: number, subCode: number, message: string): ResultInformation {
  return { code, subCode, message };
}

/**
 * The result codes the emulator puts on callback events. Sources:
 * - [fixtures] real payloads recorded by the Azure SDK for JS team (test/fixtures/acs-real/), whose
 *   messages are copied verbatim, typos included;
 * - [recognize] the "Event codes" table of Microsoft's "Gather user input with Recognize action and
 *   voice input" how-to (MicrosoftDocs/azure-docs, how-tos/call-automation/recognize-ai-action.md);
 * - [subcodes] the "Generic subcodes" table of the Call Automation troubleshooting codes
 *   (includes/codes/call-automation-sdk.md), which names the subcode but gives no message;
 * - [play] the "Event codes" table of the "Customize voice prompts to users with Play action" how-to
 *   (how-tos/call-automation/play-action.md);
 * - [call-end] the "Calling End call codes and subcodes" table (includes/codes/call-end.md);
 * - [graph] Microsoft Graph's call end reasons (microsoft-graph-docs, api/call-delete.md).
 * Where no source gives the pair an event really carries, the comment says which table the
 * pair was taken from.
 */
export const acsResults = {
  /** [fixtures] CallConnected, ParticipantsUpdated, AddParticipantSucceeded carry an empty message. */
  success: result(200, 0, ''),
  /** [fixtures] PlayStarted, PlayCompleted, MediaStreamingStarted, TranscriptionStarted. */
  actionCompleted: result(200, 0, 'Action completed successfully.'),
  /** [fixtures] CallDisconnected after the app hung up or terminated the call. */
  endedByCallAutomation: result(200, 7000, 'Call was ended by Azure Communication Service Call Automation API or a server bot. DiagCode: 0#7000.@'),
  /** [fixtures] CallDisconnected of a connection whose conversation ended because another party left. */
  conversationEnded: result(200, 5001, 'This conversation has ended.. DiagCode: 0#5001.@'),
  /** [fixtures] PlayCanceled after cancelAllMediaOperations. */
  playCanceled: result(400, 8508, 'Action falied, the operation was cancelled.'),
  /** [fixtures] PlayFailed and HoldFailed for a file that is not a supported WAV file. */
  invalidFileFormat: result(400, 8535, 'Action failed, file format is invalid.'),
  /** [play] PlayFailed for a file Call Automation could not download. */
  downloadFailed: result(400, 8536, 'Action failed, file could not be downloaded.'),
  /** [subcodes] 8582 "Play Source Text Or Ssml Empty". */
  playSourceEmpty: result(400, 8582, 'Action failed, play source text or SSML is empty.'),
  /** [recognize] */
  recognizeCanceled: result(400, 8508, 'Action failed, the operation was canceled.'),
  recognizeMaxDigitsReceived: result(200, 8531, 'Action completed, max digits received.'),
  recognizeDtmfOptionMatched: result(200, 8533, 'Action completed, DTMF option matched.'),
  recognizeSpeechOptionMatched: result(200, 8545, 'Action completed, speech option matched.'),
  recognizeStopToneDetected: result(200, 8514, 'Action completed as stop tone was detected.'),
  recognizeSpeechRecognized: result(200, 8569, 'Action completed, speech was recognized.'),
  /** [recognize] listed as a RecognizeCompleted with code 400: the tones collected so far are returned. */
  recognizeInterDigitTimeout: result(400, 8532, 'Action failed, inter-digit silence time out reached.'),
  recognizeInitialSilenceTimeout: result(400, 8510, 'Action failed, initial silence time out reached.'),
  recognizeSpeechOptionNotMatched: result(400, 8547, 'Action failed, recognized phrase does not match a valid option.'),
  recognizeIncorrectTone: result(500, 8534, 'Action failed, incorrect tone entered.'),
  recognizePlayPromptFailed: result(500, 8511, 'Action failed, encountered failure while trying to play the prompt.'),
  /** [call-end] 603 / 0: "Call ended successfully as it was declined from callee." */
  declined: (operation: InvitingOperation, rawId: string) =>
    result(603, 0, `${operation} failed for participant ${rawId}. Underlying reason: Call declined by the callee. DiagCode: 603#0.@`),
  /** [call-end] 487 / 10004: canceled on timeout, the target did not accept or reject in time. */
  notAnswered: (operation: InvitingOperation, rawId: string) =>
    result(487, 10004, `${operation} failed for participant ${rawId}. Underlying reason: Call was canceled on timeout, the target did not answer. DiagCode: 487#10004.@`),
  /** [call-end] 480 / 10037: the target has no endpoint registered (unknown or offline user). */
  unreachable: (operation: InvitingOperation, rawId: string) =>
    result(480, 10037, `${operation} failed for participant ${rawId}. Underlying reason: Target user didn't have any endpoints registered. DiagCode: 480#10037.@`),
  /** [fixtures] CancelAddParticipantSucceeded carried 200 / 5300 and this message shape. */
  invitationCanceled: (rawId: string) =>
    result(200, 5300, `addParticipants failed for participant ${rawId}. Underlying reason: The conversation has ended. DiagCode: 0#5300.@`),
  /** [subcodes] 8522 "Not Found": the invitation is no longer pending. */
  invitationNotFound: result(400, 8522, 'Action failed, the invitation is not pending.'),
  /** [graph] 7015: "Call ended as the transfer completed successfully." */
  transferCompleted: result(200, 7015, 'Call ended as the transfer completed successfully. DiagCode: 0#7015.@'),
  /** [call-end] 5300: removed from the conversation by another participant. */
  participantRemoved: result(200, 5300, 'Participant removed from the conversation. DiagCode: 0#5300.@'),
} as const;
