// Any edit of the sample config, however wrong, gets located errors and never a crash; an edit the
// check lets through builds an assistant that answers calls on every number.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { assistantFlowFromConfig } from '../../bot/assistant/assistant-flow-from-config.js';
import { parseContactCenterConfig } from '../../bot/assistant/contact-center-config.js';
import type { CallEvent } from '../../bot/call-flow/call-events.js';
import { decideCall, startCall } from '../../bot/call-flow/decide-call.js';
import { parseQueueDefinition } from '../../bot/routing/routing-messages.js';

const sampleFile = 'config/contact-center.yaml';
const sample = readFileSync(join(import.meta.dirname, '..', '..', sampleFile), 'utf8');
const lines = sample.split('\n');

type Edit =
  | { readonly kind: 'delete' | 'duplicate' | 'indent' | 'dedent'; readonly line: number }
  | { readonly kind: 'value'; readonly line: number; readonly value: string };

const values = ['', '-1', '0', '99999999', 'yes', 'null', '[', '{', ']', '&anchor', '*anchor', '"unclosed', "'", '~', '1e309', 'x'.repeat(300), '[a, b]', '{ a: 1 }', 'es-ES', 'billing', '+12125550100', '25:99-26:00', '2026-02-30'];

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constantFrom('delete' as const, 'duplicate' as const, 'indent' as const, 'dedent' as const), line: fc.nat(lines.length - 1) }),
  fc.record({ kind: fc.constant('value' as const), line: fc.nat(lines.length - 1), value: fc.constantFrom(...values) }),
);

function applied(edits: readonly Edit[]): string {
  const out = [...lines];
  for (const e of edits) {
    const line = out[e.line];
    if (line === undefined) continue;
    switch (e.kind) {
      case 'delete':
        out.splice(e.line, 1);
        break;
      case 'duplicate':
        out.splice(e.line, 0, line);
        break;
      case 'indent':
        out[e.line] = `  ${line}`;
        break;
      case 'dedent':
        out[e.line] = line.replace(/^ {1,2}/, '');
        break;
      case 'value': {
        // The value after "key:" or "- ", else the whole line.
        const match = /^(\s*(?:- )?[^:#]*:\s)|^(\s*- )/.exec(line);
        out[e.line] = match ? `${match[0]}${e.value}` : e.value;
        break;
      }
    }
  }
  return out.join('\n');
}

const noUnderstanding = () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] });
const now = new Date('2026-12-08T15:00:00Z');
const event = (fields: Record<string, unknown>): CallEvent => ({ eventId: `e${JSON.stringify(fields).length}`, occurredAt: now.toISOString(), ...fields }) as CallEvent;

describe('a contact-center config edited at random', () => {
  it('is either valid or refused with errors that name a line, a column and what is wrong; never a crash', () => {
    let refused = 0;
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const text = applied(edits);
        const result = parseContactCenterConfig(text, sampleFile);
        if (result.ok) {
          accepted += 1;
          return;
        }
        refused += 1;
        const lineCount = text.split('\n').length;
        expect(result.errors.length).toBeGreaterThan(0);
        for (const error of result.errors) {
          expect(error.file).toBe(sampleFile);
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(error.line).toBeLessThanOrEqual(lineCount + 1);
          expect(error.column).toBeGreaterThanOrEqual(1);
          expect(error.message.trim().length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 300, seed: 20261207 },
    );
    // Both kinds of outcome were seen: the edits are neither all harmless nor all fatal.
    expect({ refused: refused > 20, accepted: accepted > 20 }).toEqual({ refused: true, accepted: true });
  });

  it('that the check accepts builds an assistant that greets a caller on every number and goes on after silence, and queues routing can read', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const result = parseContactCenterConfig(applied(edits), sampleFile);
        if (!result.ok) return;
        const flow = assistantFlowFromConfig(result.config, noUnderstanding, () => ({ open: true }));
        // Routing reads the same queues.
        for (const queue of result.config.queues) expect(parseQueueDefinition(queue).queueId).toBe(queue.queueId);
        for (const { number } of result.config.numbers) {
          const started = startCall(flow, { callId: 'c', callerId: '4:+14255550123', calledNumber: number }, now);
          const connected = decideCall(flow, started, event({ kind: 'CallConnected', callConnectionId: 'conn' }), now);
          expect(connected.commands.length).toBeGreaterThan(0);
          if (connected.state.pendingOperation === undefined) continue;
          // Silence, whatever was asked: the flow must go on (ask again, pick a default, hand over).
          const silence = decideCall(flow, connected.state, event({ kind: 'RecognitionTimedOut', operationContext: connected.state.pendingOperation }), now);
          expect(silence.commands.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300, seed: 20261208 },
    );
  });
});
