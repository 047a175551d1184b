import rhea from 'rhea';
import type { AmqpError, Delivery, Sender, link as RheaLink } from 'rhea';

/**
 * Fields of rhea 3 links and deliveries that a broker needs and the typings do not declare. They are
 * read and written in the few places below only, so an upgrade of rhea has one file to check.
 */
interface LinkInternals {
  credit: number;
  delivery_count: number;
  _draining?: boolean;
  local: { attach: Record<string, unknown> };
  state: { local_open: boolean; open_requests: number };
  session: { outgoing: { available(): number } };
}

function internals(link: RheaLink): LinkInternals {
  return link as unknown as LinkInternals;
}

/** Sets a field of the attach frame this side will send (source, target, properties, settle modes...). */
export function setLocalAttachField(link: RheaLink, name: string, value: unknown): void {
  internals(link).local.attach[name] = value;
}

/**
 * rhea answers a peer's attach as soon as the `*_open` event returns. A broker that must wait
 * (accept-next-session until a session has messages) takes the answer back here and calls
 * `link.open()` later.
 */
export function holdAttach(link: RheaLink): void {
  const state = internals(link).state;
  state.local_open = false;
  state.open_requests = Math.max(0, state.open_requests - 1);
}

/**
 * Credit still usable on a sender link. rhea lowers `credit` only when a transfer is written, so a
 * broker that queues several messages in one turn must count what it queued itself: the peer's
 * credit limit is `credit + delivery_count` (unchanged by writes and drains), minus what we used.
 */
export function creditLimit(link: Sender): number {
  const fields = internals(link);
  return fields.credit + fields.delivery_count;
}

export function sessionCanBuffer(link: Sender): boolean {
  return internals(link).session.outgoing.available() > 0;
}

export function isDraining(link: Sender): boolean {
  return internals(link)._draining === true;
}

/**
 * The receiver settles in "second" mode: it waits for our settlement and never sends its own.
 * rhea frees a sent delivery only when both sides settled, so without this its 2,048-slot window
 * fills and the link stalls.
 */
export function markRemoteSettled(delivery: Delivery): void {
  (delivery as unknown as { remote_settled: boolean }).remote_settled = true;
}

interface DescribedOutcome {
  described(): unknown;
}

/** The delivery outcomes rhea builds but its typings leave out. */
export const deliveryOutcomes = rhea.message as unknown as {
  accepted(): DescribedOutcome;
  rejected(fields: { error?: AmqpError }): DescribedOutcome;
  modified(fields: { delivery_failed?: boolean; undeliverable_here?: boolean }): DescribedOutcome;
};
