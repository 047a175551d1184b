/**
 * A routing message that dead-letters must not strand its caller (DESIGN.md §6): the shell gives
 * the call this action, the queue's own choice for calls it cannot serve.
 */
import type { OverflowAction, QueueDefinition } from './routing-types.js';

export function deadLetterFallback(definition: Pick<QueueDefinition, 'overflow'>): OverflowAction {
  const { maxWait, whenNoAgentsLoggedIn, maxQueueSize } = definition.overflow;
  return maxWait?.action ?? whenNoAgentsLoggedIn?.action ?? maxQueueSize?.action ?? { kind: 'voicemail' };
}
