import { ssmlWords } from '../../bot/call-flow/join-prompts.js';
import type { RecordedCallCommand } from '../../bot/call-flow/recorded-history.js';
import type { HistoryEntry } from '../../bot/call-flow/call-state.js';
import type { Conversation } from '../acs/simulated-caller.js';
import type { FlowExpectations, FlowOutcome } from './parse-flow-scenarios.js';
import type { StoredCall } from './flow-test-target.js';

/** What a call came to, read from the conversation and the app's history. */
export interface ObservedCall {
  readonly prompts: readonly string[];
  readonly outcome: FlowOutcome | string;
  /** The caller's phone's view of the end: caller / app hung up, or the simulator's end reason. */
  readonly hungUp: string;
  readonly intent: string | null;
  readonly intentVerdicts: readonly string[];
  readonly stage: string | undefined;
  readonly endReason: string | undefined;
  readonly routing: readonly Extract<RecordedCallCommand, { kind: 'RequestRouting' }>[];
  readonly actions: readonly { readonly action: string; readonly status: string }[];
}

/** A prompt as the caller heard it: its text, or its SSML's words without the markup. */
export function promptHeard(entry: { readonly text?: string; readonly ssml?: string; readonly fileUrl?: string }): string {
  if (entry.text) return entry.text;
  if (entry.ssml) return ssmlWords(entry.ssml);
  return entry.fileUrl ? `(audio ${entry.fileUrl})` : '';
}

export function observeCall(conversation: Conversation, call: StoredCall | undefined): ObservedCall {
  const entries: HistoryEntry[] = (call?.history ?? []).map((h) => h.entry);
  const commands = entries.flatMap((e) => (e.kind === 'command' ? [e.command] : []));
  const routing = commands.flatMap((c) => (c.kind === 'RequestRouting' ? [c] : []));
  const actionNames = new Map(commands.flatMap((c) => (c.kind === 'RunAction' ? [[c.actionId, c.action] as const] : [])));
  const state = call?.state;
  const endReason = typeof state?.['endReason'] === 'string' ? state['endReason'] : undefined;
  const outcome: FlowOutcome | string =
    call === undefined
      ? conversation.endReason === 'rejected' ? 'rejected' : `not recorded by the app (caller side: ${conversation.endReason ?? conversation.state})`
      : endReason === 'callerHungUp' ? 'callerHungUp'
        : routing.length > 0 ? 'escalated'
          : endReason === 'completed' || endReason === 'afterHours' ? endReason
            : endReason ?? `still ${String(state?.['stage'])}`;
  return {
    prompts: conversation.entries.flatMap((e) => (e.kind === 'heard' ? [promptHeard(e)] : [])),
    outcome,
    hungUp: conversation.endReason === 'callerHungUp' ? 'caller' : conversation.endReason === 'appHungUp' ? 'app' : conversation.endReason ?? 'nobody (still connected)',
    intent: typeof state?.['intent'] === 'string' ? state['intent'] : null,
    intentVerdicts: entries.flatMap((e) => (e.kind === 'intentDecision' ? [e.verdict] : [])),
    stage: typeof state?.['stage'] === 'string' ? state['stage'] : undefined,
    endReason,
    routing,
    actions: entries.flatMap((e) => (e.kind === 'actionResult' ? [{ action: actionNames.get(e.actionId) ?? e.actionId, status: e.status }] : [])),
  };
}

const normalise = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Checks a call against a scenario's expectations; returns one sentence per unmet expectation
 * (none: the scenario passed). `storedJson` is the call's state and history as the app serves them.
 */
export function checkFlowExpectations(expect: FlowExpectations, observed: ObservedCall, storedJson: string | undefined): string[] {
  const failures: string[] = [];
  if (expect.heard) {
    const prompts = observed.prompts.map(normalise);
    let prompt = 0;
    let offset = 0;
    let previous: string | undefined;
    for (const wanted of expect.heard) {
      const needle = normalise(wanted);
      let found = false;
      for (let p = prompt; p < prompts.length; p++) {
        const at = (prompts[p] ?? '').indexOf(needle, p === prompt ? offset : 0);
        if (at >= 0) {
          prompt = p;
          offset = at + needle.length;
          found = true;
          break;
        }
      }
      if (!found) {
        const anywhere = prompts.some((p) => p.includes(needle));
        failures.push(
          `heard: expected "${wanted}"${previous ? ` after "${previous}"` : ''}, but ${anywhere ? 'it was heard only earlier' : 'no prompt said it'}.`,
        );
        break;
      }
      previous = wanted;
    }
  }
  for (const unwanted of expect.notHeard ?? []) {
    const prompt = observed.prompts.find((p) => normalise(p).includes(normalise(unwanted)));
    if (prompt !== undefined) failures.push(`notHeard: "${unwanted}" was heard in "${prompt}".`);
  }
  if (expect.outcome !== undefined && expect.outcome !== observed.outcome) {
    failures.push(`outcome: expected ${expect.outcome}, got ${observed.outcome}.`);
  }
  if (expect.hungUp !== undefined && expect.hungUp !== observed.hungUp) {
    failures.push(`hungUp: expected the ${expect.hungUp} to hang up, got ${observed.hungUp === 'caller' || observed.hungUp === 'app' ? `the ${observed.hungUp}` : observed.hungUp}.`);
  }
  if (expect.intent !== undefined && expect.intent !== observed.intent) {
    failures.push(`intent: expected ${expect.intent ?? 'none'}, got ${observed.intent ?? 'none'}.`);
  }
  if (expect.intentVerdicts && expect.intentVerdicts.join(',') !== observed.intentVerdicts.join(',')) {
    failures.push(`intentVerdicts: expected [${expect.intentVerdicts.join(', ')}], got [${observed.intentVerdicts.join(', ')}].`);
  }
  if (expect.escalated) failures.push(...checkEscalation(expect.escalated, observed.routing));
  if (expect.stage !== undefined && expect.stage !== observed.stage) {
    failures.push(`stage: expected ${expect.stage}, got ${observed.stage ?? '(no call recorded)'}.`);
  }
  if (expect.endReason !== undefined && expect.endReason !== observed.endReason) {
    failures.push(`endReason: expected "${expect.endReason}", got ${observed.endReason === undefined ? 'none' : `"${observed.endReason}"`}.`);
  }
  if (expect.actions) {
    const show = (list: readonly { action: string; status: string }[]) => `[${list.map((a) => `${a.action} ${a.status}`).join(', ')}]`;
    if (show(expect.actions) !== show(observed.actions)) failures.push(`actions: expected ${show(expect.actions)}, got ${show(observed.actions)}.`);
  }
  // Ids (call connection ids, ETags) are UUID-shaped and random: a "9876" group in one is no leak.
  const withoutIds = storedJson?.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>');
  failures.push(...findWholeWords('notInHistory', expect.notInHistory, withoutIds, 'in the stored call'));
  const outsidePii = withoutIds === undefined ? undefined : JSON.stringify(withoutPiiKeys(JSON.parse(withoutIds)));
  failures.push(...findWholeWords('onlyUnderPii', expect.onlyUnderPii, outsidePii, 'in the stored call outside its pii fields'));
  return failures;
}

/** One failure for each text found in `stored` as whole words (or for each when nothing was stored). */
function findWholeWords(field: string, texts: readonly string[] | undefined, stored: string | undefined, where: string): string[] {
  return (texts ?? []).flatMap((secret) => {
    if (stored === undefined) return [`${field}: the app recorded no history to check for "${secret}".`];
    const wholeWord = new RegExp(`(?<![0-9A-Za-z])${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9A-Za-z])`);
    const match = wholeWord.exec(stored);
    if (!match) return [];
    const around = stored.slice(Math.max(0, match.index - 60), match.index + secret.length + 20);
    return [`${field}: "${secret}" appears ${where}: …${around}…`];
  });
}

/** The stored call without its personal data: every `pii` key removed, at any depth. */
function withoutPiiKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPiiKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'pii').map(([key, v]) => [key, withoutPiiKeys(v)]));
}

function checkEscalation(wanted: NonNullable<FlowExpectations['escalated']>, routing: ObservedCall['routing']): string[] {
  const requested = routing.map((r) => `${r.queueId} (priority ${r.priority}; skills ${r.requiredSkills.map((s) => `${s.skill}>=${s.minProficiency}`).join(', ') || 'none'})`);
  const toQueue = routing.filter((r) => r.queueId === wanted.queue);
  if (toQueue.length === 0) {
    return [`escalated: expected a RequestRouting to ${wanted.queue}, got ${requested.length > 0 ? requested.join('; ') : 'none'}.`];
  }
  const matches = toQueue.some(
    (r) =>
      (wanted.priority === undefined || r.priority === wanted.priority) &&
      Object.entries(wanted.slots ?? {}).every(([name, value]) => r.context.pii.slots[name] === value) &&
      (wanted.skills === undefined ||
        (wanted.skills.length === r.requiredSkills.length &&
          wanted.skills.every((w) => r.requiredSkills.some((s) => s.skill === w.skill && (w.minProficiency === undefined || s.minProficiency === w.minProficiency))))),
  );
  if (matches) return [];
  const skills = wanted.skills?.map((s) => (s.minProficiency === undefined ? s.skill : `${s.skill}>=${s.minProficiency}`)).join(', ');
  const slots = wanted.slots === undefined ? '' : ` and slots ${JSON.stringify(wanted.slots)}`;
  const gotSlots = wanted.slots === undefined ? '' : ` (slots ${toQueue.map((r) => JSON.stringify(r.context.pii.slots)).join('; ')})`;
  return [
    `escalated: expected ${wanted.queue}${wanted.priority === undefined ? '' : ` with priority ${wanted.priority}`}${skills === undefined ? '' : ` and skills exactly ${skills || 'none'}`}${slots}, got ${requested.join('; ')}${gotSlots}.`,
  ];
}
