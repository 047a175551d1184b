import { promptHeard } from './check-flow-expectations.js';
import type { FlowScenarioResult } from './run-flow-scenarios.js';
import { curlSignIn } from '../cli/local-api-token.js';

/** One scenario's lines: PASS / FAIL, and on failure what went wrong and the whole conversation. */
export function formatFlowResult(result: FlowScenarioResult, options: { readonly historyUrl?: (callId: string) => string; readonly verbose?: boolean } = {}): string[] {
  const { scenario } = result;
  const lines = [`${result.passed ? 'PASS' : 'FAIL'}  ${scenario.name}  (${scenario.file}:${scenario.line}, ${Math.round(result.durationInMs)} ms)`];
  if (result.passed && !options.verbose) return lines;
  for (const failure of result.failures) lines.push(`      ✗ ${failure}`);
  if (result.conversation) {
    lines.push(`      conversation ${scenario.from} -> ${scenario.to}:`);
    for (const entry of result.conversation.entries) {
      switch (entry.kind) {
        case 'heard':
          lines.push(`        assistant: ${promptHeard(entry)}`);
          break;
        case 'said':
          lines.push(`        caller:    "${entry.text}"`);
          break;
        case 'pressed':
          lines.push(`        caller:    pressed ${entry.keys}`);
          break;
        case 'silent':
          lines.push('        caller:    (silence)');
          break;
        case 'hungUp':
          lines.push('        caller:    (hangs up)');
          break;
        case 'callEvent':
          lines.push(`        -- ${entry.description}`);
          break;
      }
    }
  }
  const o = result.observed;
  if (o) {
    const routing = o.routing.map((r) => `${r.queueId} p${r.priority} [${r.requiredSkills.map((s) => `${s.skill}>=${s.minProficiency}`).join(', ')}]`);
    lines.push(
      `      observed: outcome ${o.outcome}; hung up by ${o.hungUp}; intent ${o.intent ?? 'none'}; verdicts [${o.intentVerdicts.join(', ')}]; ` +
        `stage ${o.stage ?? '-'}; endReason ${o.endReason ?? '-'}; routing ${routing.join('; ') || 'none'}; ` +
        `actions [${o.actions.map((a) => `${a.action} ${a.status}`).join(', ')}]`,
    );
  }
  if (result.callId && options.historyUrl) lines.push(`      history: curl -s ${curlSignIn} ${options.historyUrl(result.callId)}`);
  return lines;
}

export function formatFlowSummary(results: readonly FlowScenarioResult[], totalInMs: number): string {
  const failed = results.filter((r) => !r.passed).length;
  return `${results.length - failed} passed, ${failed} failed (${results.length} scenario${results.length === 1 ? '' : 's'}, ${(totalInMs / 1000).toFixed(1)} s)`;
}
