import { z } from 'zod';
import { systemClock, type Clock } from '../../bot/ports.js';

const moment = z.iso.datetime({ offset: true });

/** A moment written with its UTC offset (2026-11-24T11:00:00-05:00), or undefined when it is not one. */
export function parseMoment(text: string): Date | undefined {
  return moment.safeParse(text).success ? new Date(text) : undefined;
}


/**
 * The local app's clock: real time, unless someone set it to another moment (a flow scenario that
 * calls after hours or on a holiday), from which it runs on at the normal rate. Local only: the
 * emulators, Service Bus schedules and timers keep real time.
 */
export class SettableClock implements Clock {
  private offsetInMs = 0;

  constructor(private readonly underlying: Clock = systemClock) {}

  now(): Date {
    return new Date(this.underlying.now().getTime() + this.offsetInMs);
  }

  /** Reads `at` from now on and runs on from there; undefined returns to the underlying clock. */
  set(at: Date | undefined): void {
    this.offsetInMs = at ? at.getTime() - this.underlying.now().getTime() : 0;
  }

  get isSet(): boolean {
    return this.offsetInMs !== 0;
  }
}
