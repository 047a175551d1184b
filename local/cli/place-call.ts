import { parseArgs } from 'node:util';
import { parseMoment } from '../host/settable-clock.js';
import { promptHeard } from '../flow-test/check-flow-expectations.js';
import { waitForLocalApp } from './wait-for-app.js';
import { curlSignIn, localApiToken } from './local-api-token.js';

type Step = { say: string } | { press: string } | { silence: true } | { hangUp: true };

export interface CallArguments {
  readonly from: string;
  readonly to: string;
  /** The app's time for this call (PUT /local/clock on the local host), ISO 8601 with offset. */
  readonly at?: string;
  readonly script: readonly Step[];
}

/** `--say`, `--press`, `--silence`, `--hang-up` in the order given become the caller's script. */
export function parseCallArguments(args: readonly string[]): { ok: true; value: CallArguments } | { ok: false; error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      tokens: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        at: { type: 'string' },
        say: { type: 'string', multiple: true },
        press: { type: 'string', multiple: true },
        silence: { type: 'boolean', multiple: true },
        'hang-up': { type: 'boolean', multiple: true },
      },
    });
  } catch (error) {
    return { ok: false, error: `switchboard call: ${(error as Error).message}` };
  }
  const script: Step[] = [];
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (token.name === 'say') script.push({ say: token.value ?? '' });
    if (token.name === 'press') {
      if (!/^[0-9*#]+$/.test(token.value ?? '')) return { ok: false, error: `switchboard call: --press takes keypad keys (0-9, *, #), got "${token.value}"` };
      script.push({ press: token.value ?? '' });
    }
    if (token.name === 'silence') script.push({ silence: true });
    if (token.name === 'hang-up') script.push({ hangUp: true });
  }
  const e164 = /^\+[1-9]\d{6,14}$/;
  const from = parsed.values.from ?? '+14255550123';
  const to = parsed.values.to ?? '+12125550100';
  // A caller may withhold their number (Call Automation then reports it as 4:anonymous).
  if (!e164.test(from) && from !== 'anonymous') return { ok: false, error: `switchboard call: --from must be an E.164 number like +14255550123, or anonymous; got "${from}"` };
  if (!e164.test(to)) return { ok: false, error: `switchboard call: --to must be an E.164 number like +14255550123, got "${to}"` };
  const at = parsed.values.at;
  if (at !== undefined && parseMoment(at) === undefined) {
    return { ok: false, error: `switchboard call: --at takes a moment with its UTC offset, such as 2026-11-24T11:00:00-05:00; got "${at}"` };
  }
  return { ok: true, value: { from, to, script, ...(at !== undefined ? { at } : {}) } };
}

interface ConversationView {
  simulatedCallId: string;
  correlationId: string;
  state: string;
  endReason?: string;
  entries: { kind: string; text?: string; ssml?: string; fileUrl?: string; keys?: string; description?: string }[];
}

/** Places a simulated PSTN call into the running local stack and prints the conversation. */
export async function placeSimulatedCall(options: CallArguments & { simulator: string; functions: string; entraToken: string; out: (line: string) => void }): Promise<number> {
  if (options.at === undefined) return placeCallNow(options);
  const setClock = (at: string | null) =>
    fetch(`${options.functions}/local/clock`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ at }) });
  const set = await setClock(options.at).catch(() => undefined);
  if (!set?.ok) {
    options.out(`Cannot set the app's clock at ${options.functions}/local/clock (only the local stack has one). Start it with: npm start`);
    return 1;
  }
  try {
    return await placeCallNow(options);
  } finally {
    await setClock(null).catch(() => undefined);
  }
}

async function placeCallNow(options: CallArguments & { simulator: string; functions: string; entraToken: string; out: (line: string) => void }): Promise<number> {
  const { out } = options;
  if ((await waitForLocalApp(options, out)) === 'stillStarting') {
    out(`The app at ${options.functions} did not finish starting; see the npm start window.`);
    return 1;
  }
  let placed: Response;
  try {
    placed = await fetch(`${options.simulator}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: options.from, to: options.to, script: options.script, whenScriptEnds: 'hangUp' }),
    });
  } catch {
    out(`Cannot reach the local stack at ${options.simulator}. Start it with: npm start`);
    return 1;
  }
  if (!placed.ok) {
    out(`The simulator refused the call (${placed.status}): ${await placed.text()}`);
    return 1;
  }
  const { simulatedCallId, incomingCallDelivered } = (await placed.json()) as { simulatedCallId: string; incomingCallDelivered: boolean };
  if (!incomingCallDelivered) out('Warning: Event Grid could not deliver IncomingCall to the app.');
  // Wait for the call to end; if an agent answers, stay on a moment with them, then hang up.
  let conversation: ConversationView | undefined;
  let agentJoinedAt: number | undefined;
  for (let waited = 0; waited < 120_000; waited += 1000) {
    const response = await fetch(`${options.simulator}/calls/${simulatedCallId}?waitForEnd=true&timeoutInMs=1000`);
    conversation = (await response.json()) as ConversationView;
    if (conversation.state === 'ended') break;
    const joined = conversation.entries.some((e) => e.kind === 'callEvent' && e.description === 'joined');
    if (joined && agentJoinedAt === undefined) agentJoinedAt = waited;
    if (agentJoinedAt !== undefined && waited - agentJoinedAt >= 2000) {
      await fetch(`${options.simulator}/calls/${simulatedCallId}/hang-up`, { method: 'POST' });
    }
  }
  if (!conversation) return 1;
  out(`Call ${options.from} -> ${options.to}`);
  for (const entry of conversation.entries) {
    if (entry.kind === 'heard') out(`  assistant: ${promptHeard(entry)}`);
    else if (entry.kind === 'said') out(`  caller:    "${entry.text}"`);
    else if (entry.kind === 'pressed') out(`  caller:    pressed ${entry.keys}`);
    else if (entry.kind === 'silent') out('  caller:    (silence)');
    else if (entry.kind === 'hungUp') out('  caller:    (hangs up)');
    else if (entry.kind === 'callEvent' && entry.description === 'joined') out(`  -- ${(entry as { participant?: string }).participant ?? 'someone'} joined the call`);
  }
  out(`Outcome: ${conversation.state}${conversation.endReason ? ` (${conversation.endReason})` : ''}`);
  const callId = conversation.correlationId;
  out(`Call id: ${callId}`);
  // The app may still be handling the call's last callback when the caller's side has ended.
  let history: Response | undefined;
  const token = await localApiToken(options.entraToken).catch(() => undefined);
  const headers = token ? { authorization: `Bearer ${token}` } : undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    history = await fetch(`${options.functions}/api/calls/${callId}`, headers ? { headers } : {}).catch(() => undefined);
    const stage = history?.ok ? ((await history.clone().json()) as { state: { stage: string } }).state.stage : undefined;
    if (stage === 'ended' || stage === undefined) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (history?.ok) {
    const body = (await history.json()) as {
      state: { stage: string; intent?: string; endReason?: string };
      history: { entry: { kind: string; intent?: string; verdict?: string; confidence?: number; queueId?: string; decision?: { kind: string; agentId?: string; waitedSeconds?: number } } }[];
    };
    for (const { entry } of body.history) {
      if (entry.kind === 'intentDecision') out(`  intent: ${entry.intent ?? '(none)'} ${entry.verdict} (confidence ${entry.confidence?.toFixed(2)})`);
      if (entry.kind === 'routingDecision' && entry.decision) {
        const d = entry.decision;
        out(`  routing (${entry.queueId}): ${d.kind}${d.agentId ? ` ${d.agentId}` : ''}${d.waitedSeconds !== undefined ? ` after ${d.waitedSeconds.toFixed(1)} s` : ''}`);
      }
    }
    out(`History: ${body.history.length} items in Cosmos; final stage ${body.state.stage}${body.state.endReason ? `, ${body.state.endReason}` : ''}`);
    out(`Read it: curl ${curlSignIn} ${options.functions}/api/calls/${callId}`);
  }
  return conversation.state === 'ended' ? 0 : 1;
}
