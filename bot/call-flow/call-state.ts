import type { CallCommand } from './call-commands.js';
import type { CallEvent } from './call-events.js';

export const callStateSchemaVersion = 1;

export type CallStage = 'answering' | 'greeting' | 'ending' | 'ended';

/** Everything a call needs between invocations; plain JSON, stored in Cosmos. */
export interface CallState {
  readonly schemaVersion: typeof callStateSchemaVersion;
  readonly callId: string;
  readonly stage: CallStage;
  readonly callConnectionId: string | undefined;
  readonly language: string;
  /** Counter that makes every media operation's context unique. */
  readonly operationSequence: number;
  /** Context of the media operation whose outcome the flow waits for; other outcomes are stale. */
  readonly pendingOperation: string | undefined;
  readonly startedAt: string;
  readonly endedAt: string | undefined;
  readonly pii: { readonly callerId: string; readonly calledNumber: string };
}

/** One entry of the call's history; written next to the state in the call's partition. */
export type HistoryEntry =
  | { readonly kind: 'callReceived'; readonly pii: { readonly callerId: string; readonly calledNumber: string } }
  | { readonly kind: 'commandFailed'; readonly command: CallCommand['kind']; readonly error: string }
  | { readonly kind: 'event'; readonly event: CallEvent; readonly ignored?: 'stale' | 'unknown' | 'ended' }
  | { readonly kind: 'command'; readonly command: CallCommand }
  | { readonly kind: 'stageChanged'; readonly from: CallStage; readonly to: CallStage };

export interface Decision {
  readonly state: CallState;
  readonly commands: readonly CallCommand[];
  readonly history: readonly HistoryEntry[];
}
