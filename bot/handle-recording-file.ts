import { z } from 'zod';
import { applyCallEvent, type CallShellDependencies } from './handle-call-events.js';
import { callIdFor } from './handle-incoming-call.js';

const recordingFileEventSchema = z.object({
  id: z.string().min(1),
  subject: z.string().regex(/^\/recording\/call\/[^/]+\/serverCallId\/[^/]+/, 'subject is /recording/call/{callId}/serverCallId/{serverCallId}'),
  eventTime: z.string().optional(),
  data: z.object({
    recordingStorageInfo: z.object({ recordingChunks: z.array(z.object({ contentLocation: z.string().min(1) }).loose()).min(1) }).loose(),
    recordingDurationMs: z.number().nonnegative().optional(),
  }).loose(),
});

/**
 * Event Grid `Microsoft.Communication.RecordingFileStatusUpdated`: a recording of a call (a
 * voicemail) is stored. Where its files are goes into the call's history, so whoever reads the
 * voicemail finds them. The call is the one the subject names (its correlation id). A malformed
 * event or one for a call we do not know is logged and dropped: Event Grid retrying it would not
 * help.
 */
export async function handleRecordingFileStatus(deps: CallShellDependencies, event: unknown): Promise<'recorded' | 'rejected' | 'unknown call'> {
  const parsed = recordingFileEventSchema.safeParse(event);
  if (!parsed.success) {
    deps.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'recording file event rejected: malformed');
    return 'rejected';
  }
  const { id, subject, eventTime, data } = parsed.data;
  const acsCallId = subject.split('/')[3] ?? '';
  const stored = {
    kind: 'RecordingFileAvailable', eventId: `recording-file:${id}`, occurredAt: eventTime ?? deps.clock.now().toISOString(),
    contentLocations: data.recordingStorageInfo.recordingChunks.map((c) => c.contentLocation),
    ...(data.recordingDurationMs === undefined ? {} : { durationMs: data.recordingDurationMs }),
  } as const;
  let callId = callIdFor(acsCallId);
  let applied = await applyCallEvent(deps, callId, stored);
  if (applied === 'unknown call') {
    // A callback is a call of its own in Call Automation: its recording names that call.
    const dialledBack = await deps.store.findCallByCallbackCorrelationId(acsCallId);
    if (dialledBack !== undefined) {
      callId = dialledBack;
      applied = await applyCallEvent(deps, callId, stored);
    }
  }
  if (applied === 'unknown call') {
    deps.logger.warn({ callId }, 'recording file for a call we do not know');
    return 'unknown call';
  }
  deps.logger.info({ callId }, 'recording file stored');
  return 'recorded';
}
