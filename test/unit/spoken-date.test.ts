import { readSpokenDate, spokenDate, type DateRange } from '../../bot/call-flow/spoken-date.js';

/** The date read, or why there is none: 'noDate' or 'outOfRange'. */
function parseSpokenDate(text: string, language: string, now: Date, timeZone: string, range: DateRange): string {
  const reading = readSpokenDate(text, language, now, timeZone, range);
  return reading.kind === 'inRange' ? reading.date : reading.kind;
}

// Tuesday 24 November 2026, 22:30 in New York: already Wednesday in UTC.
const lateTuesdayInNewYork = new Date('2026-11-25T03:30:00Z');
const ny = 'America/New_York';

describe('a date a caller says', () => {
  it.each([
    ['tomorrow', 'en-US', '2026-11-25'],
    ['next Friday', 'en-US', '2026-12-04'],
    ['on December 3rd please', 'en-US', '2026-12-03'],
    ['12/03', 'en-US', '2026-12-03'],
    ['12/03', 'en-GB', '2027-03-12'],
    ['mañana', 'es-ES', '2026-11-25'],
    ['el 3 de diciembre', 'es-ES', '2026-12-03'],
    ['demain', 'fr-FR', '2026-11-25'],
  ])('"%s" (%s) is %s, counted from the line\'s time zone', (text, language, expected) => {
    expect(parseSpokenDate(text, language, lateTuesdayInNewYork, ny, 'future')).toBe(expected);
  });

  it('in UTC the same moment is already Wednesday, so tomorrow is Thursday', () => {
    expect(parseSpokenDate('tomorrow', 'en-US', lateTuesdayInNewYork, 'UTC', 'any')).toBe('2026-11-26');
  });

  it('tells no date said from a date outside the slot\'s range', () => {
    expect(parseSpokenDate('I am not sure', 'en-US', lateTuesdayInNewYork, ny, 'any')).toBe('noDate');
    expect(parseSpokenDate('yes', 'en-US', lateTuesdayInNewYork, ny, 'future')).toBe('noDate');
    expect(parseSpokenDate('yesterday', 'en-US', lateTuesdayInNewYork, ny, 'future')).toBe('outOfRange');
    expect(parseSpokenDate('the 3rd of November 2026', 'en-US', lateTuesdayInNewYork, ny, 'future')).toBe('outOfRange');
    expect(parseSpokenDate('tomorrow', 'en-US', lateTuesdayInNewYork, ny, 'past')).toBe('outOfRange');
    expect(parseSpokenDate('March 3rd 1980', 'en-US', lateTuesdayInNewYork, ny, 'past')).toBe('1980-03-03');
    expect(parseSpokenDate('today', 'en-US', lateTuesdayInNewYork, ny, 'future')).toBe('2026-11-24');
  });

  it('a weekday said to be past is not moved to the coming week where the slot wants a future date', () => {
    expect(parseSpokenDate('we moved last Monday', 'en-US', lateTuesdayInNewYork, ny, 'future')).toBe('outOfRange');
    expect(parseSpokenDate('el lunes pasado', 'es-ES', lateTuesdayInNewYork, ny, 'future')).toBe('outOfRange');
    expect(parseSpokenDate('last Monday', 'en-US', lateTuesdayInNewYork, ny, 'any')).toBe('2026-11-23');
    // A bare weekday still means the coming one.
    expect(parseSpokenDate('Monday', 'en-US', lateTuesdayInNewYork, ny, 'future')).toBe('2026-11-30');
    expect(parseSpokenDate('el lunes', 'es-ES', lateTuesdayInNewYork, ny, 'future')).toBe('2026-11-30');
  });

  it('is read back in the caller\'s language', () => {
    expect(spokenDate('2026-12-04', 'en-US')).toBe('Friday, December 4');
    expect(spokenDate('2026-12-04', 'es-ES')).toBe('viernes, 4 de diciembre');
  });

  it('is read back with its year from half a year away', () => {
    expect(spokenDate('2027-05-25', 'en-US', { today: '2026-11-25' })).toBe('Tuesday, May 25');
    expect(spokenDate('2027-05-27', 'en-US', { today: '2026-11-25' })).toBe('Thursday, May 27, 2027');
    expect(spokenDate('2026-01-02', 'es-ES', { today: '2026-11-25', weekday: false })).toBe('2 de enero de 2026');
  });
});
