import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOpen, type ScheduleHours } from '../../bot/assistant/business-hours.js';
import { parseContactCenterConfig } from '../../bot/assistant/contact-center-config.js';

const weekdays = (range: string) => ({ monday: [range], tuesday: [range], wednesday: [range], thursday: [range], friday: [range] });
const noDays = { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] };

function schedule(timeZone: string, weekly: Partial<ScheduleHours['weekly']>, holidays: ScheduleHours['holidays'] = []): ScheduleHours {
  return { timeZone, weekly: { ...noDays, ...weekly }, holidays };
}

const at = (iso: string) => new Date(iso);
const open = expect.objectContaining({ open: true, reason: 'open' });
const openUntil = (iso: string) => ({ open: true, reason: 'open', closesAt: new Date(iso) });
const closedUntil = (iso: string, reason: 'closed' | 'holiday' = 'closed') => ({ open: false, reason, nextOpenAt: new Date(iso) });
const closedForHoliday = (iso: string, holiday: string) => ({ ...closedUntil(iso, 'holiday'), holiday });

describe('isOpen', () => {
  // Mon-Fri 08:00-20:00, Sat 09:00-17:00, New York (EST = UTC-5, EDT = UTC-4).
  const office = schedule('America/New_York', { ...weekdays('08:00-20:00'), saturday: ['09:00-17:00'] });

  it('is open inside the hours and closed outside, by local wall time', () => {
    expect(isOpen(office, at('2025-03-03T15:00:00Z'))).toEqual(open); // Mon 10:00 EST
    expect(isOpen(office, at('2025-03-03T13:00:00Z'))).toEqual(open); // Mon 08:00 EST: the start is inside
    expect(isOpen(office, at('2025-03-03T12:59:59Z'))).toEqual(closedUntil('2025-03-03T13:00:00Z'));
    expect(isOpen(office, at('2025-03-04T00:59:59Z'))).toEqual(open); // Mon 19:59:59 EST
    expect(isOpen(office, at('2025-03-04T01:00:00Z'))).toEqual(closedUntil('2025-03-04T13:00:00Z')); // Mon 20:00: the end is outside
  });

  it('is closed on a day without hours and finds the next opening after the weekend', () => {
    expect(isOpen(office, at('2025-03-02T17:00:00Z'))).toEqual(closedUntil('2025-03-03T13:00:00Z')); // Sun noon EST
  });

  describe('the week the clocks go forward (New York, Sun 9 March 2025, 02:00 -> 03:00)', () => {
    it('opens on Monday at 08:00 EDT, an hour earlier in UTC than the Monday before', () => {
      expect(isOpen(office, at('2025-03-08T23:00:00Z'))).toEqual(closedUntil('2025-03-10T12:00:00Z')); // Sat 18:00 EST
      expect(isOpen(office, at('2025-03-10T11:59:00Z'))).toEqual(closedUntil('2025-03-10T12:00:00Z')); // Mon 07:59 EDT
      expect(isOpen(office, at('2025-03-10T12:00:00Z'))).toEqual(open); // Mon 08:00 EDT
      expect(isOpen(office, at('2025-03-07T13:00:00Z'))).toEqual(open); // Fri 08:00 EST
    });

    it('opens when the clocks jump if the opening time does not exist that night', () => {
      const early = schedule('America/New_York', { sunday: ['02:30-05:00'] });
      expect(isOpen(early, at('2025-03-09T06:30:00Z'))).toEqual(closedUntil('2025-03-09T07:00:00Z')); // 01:30 EST
      expect(isOpen(early, at('2025-03-09T07:00:00Z'))).toEqual(open); // 03:00 EDT
      expect(isOpen(early, at('2025-03-09T09:00:00Z'))).toEqual(closedUntil('2025-03-16T06:30:00Z')); // 05:00 EDT; next week 02:30 EDT
    });
  });

  describe('the week the clocks go back (New York, Sun 2 November 2025, 02:00 -> 01:00)', () => {
    it('opens on Monday at 08:00 EST, an hour later in UTC than the Friday before', () => {
      expect(isOpen(office, at('2025-10-31T12:00:00Z'))).toEqual(open); // Fri 08:00 EDT
      expect(isOpen(office, at('2025-11-01T22:00:00Z'))).toEqual(closedUntil('2025-11-03T13:00:00Z')); // Sat 18:00 EDT
      expect(isOpen(office, at('2025-11-03T12:30:00Z'))).toEqual(closedUntil('2025-11-03T13:00:00Z')); // Mon 07:30 EST
    });

    it('opens at the first of two 01:30s', () => {
      const night = schedule('America/New_York', { sunday: ['01:30-04:00'] });
      expect(isOpen(night, at('2025-11-02T05:00:00Z'))).toEqual(closedUntil('2025-11-02T05:30:00Z')); // 01:00 EDT
      expect(isOpen(night, at('2025-11-02T05:30:00Z'))).toEqual(open); // 01:30 EDT
      expect(isOpen(night, at('2025-11-02T08:59:00Z'))).toEqual(open); // 03:59 EST
      expect(isOpen(night, at('2025-11-02T09:00:00Z'))).toEqual(closedUntil('2025-11-09T06:30:00Z')); // 04:00 EST; next week 01:30 EST
    });
  });

  it('follows British Summer Time in Europe/London (clocks forward Sun 30 March 2025)', () => {
    const london = schedule('Europe/London', weekdays('09:00-17:30'));
    expect(isOpen(london, at('2025-03-28T17:29:00Z'))).toEqual(open); // Fri 17:29 GMT
    expect(isOpen(london, at('2025-03-28T17:30:00Z'))).toEqual(closedUntil('2025-03-31T08:00:00Z')); // Mon 09:00 BST
    expect(isOpen(london, at('2025-03-31T16:29:00Z'))).toEqual(open); // Mon 17:29 BST
    expect(isOpen(london, at('2025-03-31T16:30:00Z'))).toEqual(closedUntil('2025-04-01T08:00:00Z'));
  });

  it('handles a half-hour daylight-saving shift (Lord Howe Island, 5 October 2025, 02:00 -> 02:30)', () => {
    const island = schedule('Australia/Lord_Howe', { sunday: ['02:15-06:00'] });
    expect(isOpen(island, at('2025-10-04T15:00:00Z'))).toEqual(closedUntil('2025-10-04T15:30:00Z')); // 01:30 +10:30 -> opens at 02:30 +11
  });

  describe('holidays', () => {
    const withHolidays = schedule('America/New_York', weekdays('08:00-20:00'), [
      { date: '2025-12-24', name: 'Christmas Eve', hours: ['08:00-13:00'] },
      { date: '2025-12-25', name: 'Christmas Day', hours: [] },
    ]);

    it('is closed all day on a holiday without hours, and says so', () => {
      expect(isOpen(withHolidays, at('2025-12-25T17:00:00Z'))).toEqual(closedForHoliday('2025-12-26T13:00:00Z', 'Christmas Day')); // Thu noon EST
    });

    it('keeps a holiday\'s own shorter hours instead of the weekly ones', () => {
      expect(isOpen(withHolidays, at('2025-12-24T17:59:00Z'))).toEqual(open); // Wed 12:59 EST
      expect(isOpen(withHolidays, at('2025-12-24T18:00:00Z'))).toEqual(closedForHoliday('2025-12-26T13:00:00Z', 'Christmas Eve')); // 13:00, skips the 25th
      expect(isOpen(withHolidays, at('2025-12-24T12:00:00Z'))).toEqual(closedForHoliday('2025-12-24T13:00:00Z', 'Christmas Eve')); // 07:00, opens at 08:00
    });

    it('uses the holiday date in the schedule\'s time zone, not in UTC', () => {
      // 2025-12-25T02:00Z is still the evening of the 24th in New York, after the short day ended.
      expect(isOpen(withHolidays, at('2025-12-25T02:00:00Z'))).toEqual(closedForHoliday('2025-12-26T13:00:00Z', 'Christmas Eve'));
      // 2025-12-26T03:00Z is the evening of the 25th in New York: still the holiday.
      expect(isOpen(withHolidays, at('2025-12-26T03:00:00Z'))).toMatchObject({ reason: 'holiday', holiday: 'Christmas Day' });
    });
  });

  describe('ranges that run past midnight', () => {
    // Weekdays 07:00-01:00, Saturday 08:00-01:00, Sunday 08:00-22:00 (the sample's tech-support hours).
    const late = schedule('America/New_York', { ...weekdays('07:00-01:00'), saturday: ['08:00-01:00'], sunday: ['08:00-22:00'] }, [
      { date: '2025-12-25', name: 'Christmas Day', hours: ['09:00-17:00'] },
      { date: '2025-12-29', name: 'Closed Monday', hours: [] },
    ]);

    it('stays open after midnight until the range ends', () => {
      expect(isOpen(late, at('2025-12-02T05:30:00Z'))).toEqual(open); // Tue 00:30, from Monday
      expect(isOpen(late, at('2025-12-02T06:00:00Z'))).toEqual(closedUntil('2025-12-02T12:00:00Z')); // Tue 01:00 -> 07:00
      expect(isOpen(late, at('2025-12-07T05:30:00Z'))).toEqual(open); // Sun 00:30, from Saturday
    });

    it('does not run a range past midnight when it ends at midnight', () => {
      expect(isOpen(late, at('2025-12-08T05:30:00Z'))).toEqual(closedUntil('2025-12-08T12:00:00Z')); // Mon 00:30 after Sunday 22:00 close
    });

    it('lets the previous evening run into a holiday, which then keeps its own hours', () => {
      expect(isOpen(late, at('2025-12-25T05:30:00Z'))).toEqual(open); // Thu 25th 00:30, from Wednesday evening
      expect(isOpen(late, at('2025-12-25T07:00:00Z'))).toMatchObject(closedUntil('2025-12-25T14:00:00Z', 'holiday')); // 02:00 -> 09:00
    });

    it('does not run a closed holiday\'s hours into the next morning', () => {
      expect(isOpen(late, at('2025-12-30T05:30:00Z'))).toEqual(closedUntil('2025-12-30T12:00:00Z')); // Tue 00:30 after closed Monday
    });
  });

  it('is always open with 00:00-24:00 every day, even across a clock change, and never says when it closes', () => {
    const always = schedule('America/New_York', { ...weekdays('00:00-24:00'), saturday: ['00:00-24:00'], sunday: ['00:00-24:00'] });
    for (const iso of ['2025-03-09T06:59:59Z', '2025-03-09T07:00:00Z', '2025-11-02T05:30:00Z', '2025-11-02T06:30:00Z', '2025-12-31T23:59:59Z']) {
      expect(isOpen(always, at(iso))).toEqual({ open: true, reason: 'open' });
    }
  });

  describe('when an open schedule closes', () => {
    it('is the end of the range, in local time', () => {
      const office = schedule('America/New_York', { ...weekdays('08:00-20:00'), saturday: ['09:00-17:00'] }, [
        { date: '2025-12-24', name: 'Christmas Eve', hours: ['08:00-13:00'] },
      ]);
      expect(isOpen(office, at('2025-03-03T15:00:00Z'))).toEqual(openUntil('2025-03-04T01:00:00Z')); // Mon 10:00 EST -> 20:00 EST
      expect(isOpen(office, at('2025-07-05T14:00:00Z'))).toEqual(openUntil('2025-07-05T21:00:00Z')); // Sat 10:00 EDT -> 17:00 EDT
      expect(isOpen(office, at('2025-12-24T15:00:00Z'))).toEqual(openUntil('2025-12-24T18:00:00Z')); // Christmas Eve closes at 13:00
    });

    it('runs on through ranges that follow without a gap, past midnight too', () => {
      const split = schedule('Europe/Madrid', { monday: ['08:00-12:00', '12:00-20:00'] });
      expect(isOpen(split, at('2025-03-03T09:00:00Z'))).toEqual(openUntil('2025-03-03T19:00:00Z')); // 10:00 CET -> 20:00 CET
      const late = schedule('America/New_York', { ...weekdays('07:00-01:00') });
      expect(isOpen(late, at('2025-12-02T05:30:00Z'))).toEqual(openUntil('2025-12-02T06:00:00Z')); // Tue 00:30 -> 01:00
      expect(isOpen(late, at('2025-12-01T20:00:00Z'))).toEqual(openUntil('2025-12-02T06:00:00Z')); // Mon 15:00 -> Tue 01:00
      const nightAndDay = schedule('UTC', { monday: ['20:00-00:00'], tuesday: ['00:00-06:00'] });
      expect(isOpen(nightAndDay, at('2025-03-03T21:00:00Z'))).toEqual(openUntil('2025-03-04T06:00:00Z'));
    });
  });

  it('has no next opening for a schedule that never opens', () => {
    expect(isOpen(schedule('UTC', {}), at('2025-06-01T00:00:00Z'))).toEqual({ open: false, reason: 'closed' });
  });

  it('finds an opening that only a holiday\'s hours provide, months away', () => {
    const oneDay = schedule('Europe/London', {}, [{ date: '2026-01-01', name: 'New Year sale', hours: ['10:00-16:00'] }]);
    expect(isOpen(oneDay, at('2025-06-01T00:00:00Z'))).toEqual(closedUntil('2026-01-01T10:00:00Z'));
  });

  it('works on the sample config\'s schedules', () => {
    const result = parseContactCenterConfig(readFileSync(join(import.meta.dirname, '..', '..', 'config', 'contact-center.yaml'), 'utf8'), 'sample');
    if (!result.ok) throw new Error('sample config is invalid');
    const care = result.config.businessHours['customer-care'];
    const tech = result.config.businessHours['tech-support'];
    if (!care || !tech) throw new Error('sample schedules missing');
    const thanksgiving = at('2025-11-27T16:00:00Z'); // Thu 11:00 EST
    expect(isOpen(care, thanksgiving)).toEqual(closedForHoliday('2025-11-28T13:00:00Z', 'Thanksgiving Day'));
    expect(isOpen(tech, thanksgiving)).toEqual(open);
    expect(isOpen(care, at('2025-11-30T17:00:00Z'))).toEqual(closedUntil('2025-12-01T13:00:00Z')); // Sunday
  });
});
