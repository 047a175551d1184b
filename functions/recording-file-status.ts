import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Event Grid `Microsoft.Communication.RecordingFileStatusUpdated` → where a voicemail's files are, into the call's history. */
export const recordingFileStatus = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'recording-file-status',
  trigger: 'eventGrid',
  handler: async (event, context) => {
    const outcome = await (await app()).recordingFileStatus(event);
    context.log(`recording file ${outcome}`);
  },
});
