import { spokenMoment } from '../../bot/call-flow/spoken-moment.js';

// Saturday 28 November 2026, 6:30 PM in New York.
const now = new Date('2026-11-28T23:30:00Z');
const say = (at: string, language = 'en-US', timeZone = 'America/New_York') => spokenMoment(new Date(at), language, timeZone, now);

describe('a moment as a caller hears it', () => {
  it('names the day as today, tomorrow, a weekday within the week, else the date', () => {
    expect(say('2026-11-29T01:00:00Z').day).toBe('today'); // 8 PM Saturday in New York, Sunday in UTC
    expect(say('2026-11-29T14:00:00Z').day).toBe('tomorrow');
    expect(say('2026-11-30T13:00:00Z').day).toBe('Monday');
    expect(say('2026-12-05T14:00:00Z').day).toBe('Saturday, December 5');
  });

  it('says the time on the hour without minutes where the language uses AM and PM, with them otherwise', () => {
    expect(say('2026-11-30T13:00:00Z').time).toBe('8 AM');
    expect(say('2026-11-30T13:30:00Z').time).toBe('8:30 AM');
    expect(say('2026-11-30T13:00:00Z', 'es-ES')).toEqual({ day: 'el lunes', time: '8:00', dayAndTime: 'el lunes a las 8:00' });
    expect(say('2026-11-29T01:00:00Z', 'es-ES')).toEqual({ day: 'hoy', time: '20:00', dayAndTime: 'hoy a las 20:00' });
    expect(say('2026-11-29T14:00:00Z', 'es-ES').day).toBe('mañana');
  });

  it('puts the day and the time together in the language\'s words, one o\'clock included', () => {
    expect(say('2026-11-30T13:00:00Z').dayAndTime).toBe('Monday at 8 AM');
    expect(say('2026-11-29T06:00:00Z', 'es-ES').dayAndTime).toBe('mañana a la 1:00');
    expect(say('2026-11-30T13:00:00Z', 'fr-FR').dayAndTime).toBe('lundi, 8:00');
  });

  it("reads both the day and the time in the schedule's time zone, across a clock change", () => {
    // 9 AM in Madrid on Monday 30 March 2026, the day after the clocks went forward (UTC+2).
    const madrid = spokenMoment(new Date('2026-03-30T07:00:00Z'), 'en-GB', 'Europe/Madrid', new Date('2026-03-28T12:00:00Z'));
    expect(madrid.day).toBe('Monday');
    expect(madrid.time).toBe('9:00'); // British English tells time on a 24-hour clock
  });
});
