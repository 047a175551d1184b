// Any weekly schedule, holidays and time zone (daylight saving included): a schedule that says it
// is closed names a next opening at which it is open, and it is closed all the way until then.
import fc from 'fast-check';
import { isOpen, type ScheduleHours } from '../../bot/assistant/business-hours.js';

const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const timeZones = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Santiago', 'UTC'];
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** "HH:MM-HH:MM" on the half hour; an end at or before the start runs past midnight. */
const range = fc.tuple(fc.integer({ min: 0, max: 47 }), fc.integer({ min: 0, max: 47 })).filter(([a, b]) => a !== b).map(([a, b]) => `${hhmm(a * 30)}-${hhmm(b * 30)}`);
const dayRanges = fc.array(range, { maxLength: 2 });

const schedule: fc.Arbitrary<ScheduleHours> = fc.record({
  timeZone: fc.constantFrom(...timeZones),
  weekly: fc.record(Object.fromEntries(days.map((d) => [d, dayRanges])) as Record<(typeof days)[number], typeof dayRanges>),
  holidays: fc.uniqueArray(
    fc.record({
      date: fc.integer({ min: 0, max: 729 }).map((d) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10)),
      name: fc.constant('Holiday'),
      hours: fc.option(dayRanges, { nil: undefined }),
    }),
    { maxLength: 6, selector: (h) => h.date },
  ),
}).map((s) => ({ ...s, holidays: s.holidays.map(({ hours, ...h }) => ({ ...h, hours: hours ?? [] })) }) as ScheduleHours);

// Instants through 2026, on the minute, daylight-saving changes among them.
const instant = fc.integer({ min: 0, max: 365 * 24 * 60 }).map((m) => new Date(Date.UTC(2026, 0, 1) + m * 60_000));

/**
 * For any schedule and moment: when `isOpen` names the next change (`nextOpenAt` when closed,
 * `closesAt` when open), it lies ahead, the schedule has changed there, and it keeps its state at
 * every half hour before it (the ranges start and end on the half hour), up to three days ahead.
 */
function holdsUntilItsNextChange(open: boolean): number {
  let seen = 0;
  fc.assert(
    fc.property(schedule, instant, (s, now) => {
      const status = isOpen(s, now);
      const change = status.open ? status.closesAt : status.nextOpenAt;
      if (status.open !== open || change === undefined) return;
      seen += 1;
      expect(change.getTime()).toBeGreaterThan(now.getTime());
      expect(isOpen(s, change).open).toBe(!open);
      const probe = new Date(Math.floor(now.getTime() / 1_800_000 + 1) * 1_800_000);
      for (let t = probe.getTime(); t < change.getTime() && t < now.getTime() + 3 * 86_400_000; t += 1_800_000) {
        expect({ at: new Date(t).toISOString(), open: isOpen(s, new Date(t)).open }).toEqual({ at: new Date(t).toISOString(), open });
      }
    }),
    { numRuns: 300, seed: 20261207 },
  );
  return seen;
}

describe('business hours, for any schedule', () => {
  it('when closed, names a next opening where it is open, and stays closed until then', () => {
    expect(holdsUntilItsNextChange(false)).toBeGreaterThan(50);
  });

  it('when open, says when it closes: closed then, and open at every half hour until then', () => {
    expect(holdsUntilItsNextChange(true)).toBeGreaterThan(50);
  });
});
