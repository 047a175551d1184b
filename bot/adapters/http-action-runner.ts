import { fillPlaceholders } from '../assistant/assistant-flow-from-config.js';
import type { Action, ContactCenterConfig, PromptText } from '../assistant/contact-center-config.js';
import type { ActionResult } from '../call-flow/call-events.js';
import type { ActionRunner } from '../ports.js';

/**
 * Runs the config's self-service actions against their HTTP backends and turns each outcome into
 * the prompt the config names for it. Backend URLs come from app settings named by the action.
 */
export class HttpActionRunner implements ActionRunner {
  private readonly actions: Map<string, Action>;

  constructor(
    private readonly config: ContactCenterConfig,
    private readonly backendUrl: (settingName: string) => string | undefined,
  ) {
    this.actions = new Map(config.actions.map((a) => [a.name, a]));
  }

  async run(name: string, request: { slots: Readonly<Record<string, string>>; language: string; callerId: string; signal: AbortSignal }): Promise<ActionResult> {
    const action = this.actions.get(name);
    if (!action) return { status: 'failed', reason: `unknown action ${name}` };
    const base = this.backendUrl(action.backendUrlSetting)?.replace(/\/+$/, '');
    if (!base) return { status: 'failed', reason: `${action.backendUrlSetting} is not set` };
    const say = (key: string, values: Record<string, string>) => fillPlaceholders(textOf(this.prompt(request.language, key)), values);
    switch (action.handler) {
      case 'orderStatus': {
        const orderNumber = request.slots[action.orderNumberSlot] ?? '';
        const response = await fetch(`${base}/orders/${encodeURIComponent(orderNumber)}`, { signal: request.signal });
        if (response.status === 404) return { status: 'notFound', say: say(action.prompts.notFound, { orderNumber }) };
        if (!response.ok) return { status: 'failed', reason: `order backend answered ${response.status}` };
        const order = (await response.json()) as { status?: string; date?: string };
        return { status: 'succeeded', say: say(action.prompts.found, { orderNumber, status: order.status ?? '', date: order.date ?? '' }) };
      }
      case 'accountBalance': {
        const response = await fetch(`${base}/accounts/balance`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            pin: request.slots[action.pinSlot] ?? '',
            ...(action.accountNumberSlot ? { accountNumber: request.slots[action.accountNumberSlot] } : { callerId: request.callerId }),
          }),
          signal: request.signal,
        });
        if (response.status === 403) {
          return { status: 'retry', say: say(action.prompts.pinIncorrect, {}), slot: action.pinSlot, maxAttempts: action.maxPinAttempts, lockedSay: say(action.prompts.locked, {}) };
        }
        if (response.status === 423) return { status: 'failed', reason: 'account locked' };
        if (!response.ok) return { status: 'failed', reason: `account backend answered ${response.status}` };
        const balance = (await response.json()) as { amount?: string; dueDate?: string };
        return { status: 'succeeded', say: say(action.prompts.balance, { amount: balance.amount ?? '', dueDate: balance.dueDate ?? '' }) };
      }
    }
  }

  private prompt(language: string, key: string): PromptText | undefined {
    return this.config.prompts[language]?.[key] ?? this.config.prompts[this.config.defaultLanguage]?.[key];
  }
}

function textOf(prompt: PromptText | undefined): string {
  if (prompt === undefined) return '';
  return typeof prompt === 'string' ? prompt : prompt.ssml;
}
