import { configuredPrompt } from '../assistant/config/render-prompt.js';
import { ssmlWords } from '../call-flow/join-prompts.js';
import { z } from 'zod';
import type { Action, ContactCenterConfig } from '../assistant/contact-center-config.js';
import type { ActionResult } from '../call-flow/call-events.js';
import { spokenDate } from '../call-flow/spoken-date.js';
import { spokenDigits } from '../call-flow/spoken-digits.js';
import type { ActionRunner } from '../ports.js';

const isoDay = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar day as YYYY-MM-DD (spoken as month and day), or words to say as they are. */
const dayOrWords = z
  .string()
  .trim()
  .min(1)
  .refine((value) => !isoDay.test(value) || isCalendarDay(value), 'not a calendar day');

function isCalendarDay(value: string): boolean {
  const at = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(at) && new Date(at).toISOString().slice(0, 10) === value;
}

/** What an order backend answers for GET /orders/{orderNumber}. */
const orderBody = z.object({ status: z.string().trim().min(1), date: dayOrWords });

/** What an account backend answers for POST /accounts/balance. */
const balanceBody = z.object({
  /** A number (spoken as money when `currency` is given) or words to say as they are. */
  amount: z.union([z.number().finite(), z.string().trim().min(1)]),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD').optional(),
  dueDate: dayOrWords,
});

/**
 * Runs the config's self-service actions against their HTTP backends and turns each outcome into
 * the prompt the config names for it, with the backend's values formatted for speech in the
 * caller's language. A body that is not what the contract says fails the action (the caller is
 * handed to a person) rather than reading out a broken sentence. Backend URLs come from app
 * settings named by the action.
 */
export class HttpActionRunner implements ActionRunner {
  private readonly actions: Map<string, Action>;

  constructor(
    private readonly config: ContactCenterConfig,
    private readonly backendUrl: (settingName: string) => string | undefined,
  ) {
    this.actions = new Map(config.actions.map((a) => [a.name, a]));
  }

  /** A backend's status in the caller's language: the words of the prompt the config maps it to, else as written. */
  private spokenStatus(promptKey: string | undefined, status: string, language: string): string {
    const prompt = promptKey === undefined ? undefined : configuredPrompt(this.config, language, promptKey);
    if (prompt === undefined) return status;
    return typeof prompt === 'string' ? prompt : ssmlWords(prompt.ssml);
  }

  async run(name: string, request: Parameters<ActionRunner['run']>[1]): Promise<ActionResult> {
    const action = this.actions.get(name);
    if (!action) return { status: 'failed', reason: `unknown action ${name}` };
    const base = this.backendUrl(action.backendUrlSetting)?.replace(/\/+$/, '');
    if (!base) return { status: 'failed', reason: `${action.backendUrlSetting} is not set` };
    switch (action.handler) {
      case 'orderStatus': {
        const orderNumber = request.slots[action.orderNumberSlot] ?? '';
        const response = await fetch(`${base}/orders/${encodeURIComponent(orderNumber)}`, { signal: request.signal });
        if (response.status === 404) {
          const values = { orderNumber: spokenDigits(orderNumber) };
          const tryAgain = action.prompts.notFoundTryAgain;
          if (action.maxLookups > 1 && tryAgain !== undefined) {
            // Probably mistyped: the caller may give another number; the last miss goes to a person.
            return { status: 'retry', say: { prompt: tryAgain, values }, slot: action.orderNumberSlot, maxAttempts: action.maxLookups, lockedSay: { prompt: action.prompts.notFound, values } };
          }
          return { status: 'notFound', say: { prompt: action.prompts.notFound, values } };
        }
        if (!response.ok) return { status: 'failed', reason: `order backend answered ${response.status}` };
        const order = orderBody.safeParse(await bodyOf(response));
        if (!order.success) return unexpected('order', order.error);
        const values = { orderNumber: spokenDigits(orderNumber), status: this.spokenStatus(action.statusPrompts[order.data.status], order.data.status, request.language), date: spokenDay(order.data.date, request.language, request.today) };
        return { status: 'succeeded', say: { prompt: action.prompts.found, values } };
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
          return { status: 'retry', say: { prompt: action.prompts.pinIncorrect }, slot: action.pinSlot, maxAttempts: action.maxPinAttempts, lockedSay: { prompt: action.prompts.locked } };
        }
        if (response.status === 423) return { status: 'failed', reason: 'account locked' };
        if (!response.ok) return { status: 'failed', reason: `account backend answered ${response.status}` };
        const balance = balanceBody.safeParse(await bodyOf(response));
        if (!balance.success) return unexpected('account', balance.error);
        const { amount, currency, dueDate } = balance.data;
        const values = { amount: spokenAmount(amount, currency, request.language), dueDate: spokenDay(dueDate, request.language, request.today) };
        return { status: 'succeeded', say: { prompt: action.prompts.balance, values } };
      }
    }
  }
}

/** The parsed JSON body, or undefined when it is not JSON (the schema then says what is wrong). */
async function bodyOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

function unexpected(backend: string, error: z.ZodError): ActionResult {
  return { status: 'failed', reason: `${backend} backend answered an unexpected body: ${z.prettifyError(error).replace(/\s*\n\s*/g, ' ')}` };
}

/** "2026-12-01" -> "December 1" / "1 de diciembre"; anything else is already words. */
function spokenDay(value: string, language: string, today: string | undefined): string {
  return isoDay.test(value) ? spokenDate(value, language, { weekday: false, ...(today === undefined ? {} : { today }) }) : value;
}

/** 42.5 with USD -> "$42.50" (en-US) / "42,50 US$" (es-ES), which speech reads as money. */
function spokenAmount(amount: number | string, currency: string | undefined, language: string): string {
  if (typeof amount === 'string') return amount;
  const formatted = new Intl.NumberFormat(language, currency ? { style: 'currency', currency } : { maximumFractionDigits: 2 }).format(amount);
  // Intl separates with no-break spaces ("42,50 US$"); prompts are plain text.
  return formatted.replace(/[\u00a0\u202f]/g, ' ');
}
