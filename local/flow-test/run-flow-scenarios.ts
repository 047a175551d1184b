import { callIdFor } from '../../bot/handle-incoming-call.js';
import type { Conversation } from '../acs/simulated-caller.js';
import { checkFlowExpectations, observeCall, type ObservedCall } from './check-flow-expectations.js';
import type { FlowScenario } from './parse-flow-scenarios.js';
import { FlowTargetUnreachable, type FlowTestTarget, type StoredCall } from './flow-test-target.js';

export interface FlowScenarioResult {
  readonly scenario: FlowScenario;
  readonly passed: boolean;
  /** One sentence per unmet expectation, or the error that stopped the scenario. */
  readonly failures: readonly string[];
  readonly conversation?: Conversation;
  readonly callId?: string;
  readonly call?: StoredCall;
  readonly observed?: ObservedCall;
  readonly durationInMs: number;
}

export interface RunFlowScenarioOptions {
  /** How long one call may take, caller's side and app's side each. */
  readonly timeoutInMs?: number;
  /** Milliseconds since some fixed point; injected so reports can be compared in tests. */
  readonly elapsed?: () => number;
}

const defaultTimeoutInMs = 30_000;

/**
 * Places the scenario's call, waits for both sides to finish, and checks what happened. Rejects
 * only when the stack cannot be reached (FlowTargetUnreachable); any other problem fails the scenario.
 */
export async function runFlowScenario(scenario: FlowScenario, target: FlowTestTarget, options: RunFlowScenarioOptions = {}): Promise<FlowScenarioResult> {
  const timeoutInMs = options.timeoutInMs ?? defaultTimeoutInMs;
  const elapsed = options.elapsed ?? (() => performance.now());
  const started = elapsed();
  let conversation: Conversation | undefined;
  try {
    if (scenario.at !== undefined) await target.setClock(scenario.at);
    const placed = await target.placeCall({ from: scenario.from, to: scenario.to, script: scenario.steps, whenScriptEnds: scenario.whenScriptEnds });
    conversation = await target.waitForCallEnd(placed.simulatedCallId, timeoutInMs);
    if (conversation.state !== 'ended') {
      await target.hangUp(placed.simulatedCallId);
      return {
        scenario,
        passed: false,
        failures: [
          `The call had not ended after ${timeoutInMs} ms; it was hung up. A caller who reaches an agent stays on the line: ` +
            'end the steps with "waitForPrompt: <text heard>" and "hangUp".',
        ],
        conversation,
        durationInMs: elapsed() - started,
      };
    }
    const callId = callIdFor(conversation.correlationId);
    const call = await target.readCall(callId, timeoutInMs);
    const observed = observeCall(conversation, call);
    const failures = [
      ...(placed.incomingCallDelivered ? [] : ['Event Grid could not deliver IncomingCall to the app.']),
      ...checkFlowExpectations(scenario.expect, observed, call === undefined ? undefined : JSON.stringify(call)),
    ];
    return { scenario, passed: failures.length === 0, failures, conversation, callId, ...(call ? { call } : {}), observed, durationInMs: elapsed() - started };
  } catch (error) {
    if (error instanceof FlowTargetUnreachable) throw error;
    return {
      scenario,
      passed: false,
      failures: [error instanceof Error ? error.message : String(error)],
      ...(conversation ? { conversation } : {}),
      durationInMs: elapsed() - started,
    };
  } finally {
    if (scenario.at !== undefined) await target.setClock(undefined);
  }
}

/** Runs scenarios one after another (each call's history is read once the app is idle). */
export async function runFlowScenarios(
  scenarios: readonly FlowScenario[],
  target: FlowTestTarget,
  options: RunFlowScenarioOptions & { readonly onResult?: (result: FlowScenarioResult) => void } = {},
): Promise<FlowScenarioResult[]> {
  const results: FlowScenarioResult[] = [];
  for (const scenario of scenarios) {
    const result = await runFlowScenario(scenario, target, options);
    options.onResult?.(result);
    results.push(result);
  }
  return results;
}
