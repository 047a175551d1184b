import { spokenWeek } from '../../bot/assistant/spoken-week.js';

const closed = { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] };
const weekdays = (range: string) => ({ monday: [range], tuesday: [range], wednesday: [range], thursday: [range], friday: [range] });

describe("a schedule's week as a caller hears it", () => {
  it('runs days with the same hours together and names the others', () => {
    const office = { ...closed, ...weekdays('08:00-20:00'), saturday: ['09:00-17:00'] };
    expect(spokenWeek(office, 'en-US')).toBe('Monday to Friday from 8 AM to 8 PM, and Saturday from 9 AM to 5 PM');
    expect(spokenWeek(office, 'es-ES')).toBe('de lunes a viernes de 8:00 a 20:00, y los sábados de 9:00 a 17:00');
  });

  it('says two sets of hours on a day, two days as a pair, ranges past midnight and whole days', () => {
    const split = { ...closed, monday: ['09:00-13:00', '14:30-18:00'], tuesday: ['09:00-13:00', '14:30-18:00'], saturday: ['10:00-14:00'], sunday: ['10:00-14:00'] };
    expect(spokenWeek(split, 'en-US')).toBe('Monday and Tuesday from 9 AM to 1 PM and from 2:30 PM to 6 PM, and Saturday and Sunday from 10 AM to 2 PM');
    expect(spokenWeek(split, 'es-ES')).toBe('los lunes y martes de 9:00 a 13:00 y de 14:30 a 18:00, y los sábados y domingos de 10:00 a 14:00');
    expect(spokenWeek({ ...closed, ...weekdays('07:00-01:00') }, 'en-US')).toBe('Monday to Friday from 7 AM to 1 AM');
    expect(spokenWeek({ ...closed, saturday: ['00:00-24:00'] }, 'en-US')).toBe('Saturday all day');
  });

  it('does not run days together across a closed day', () => {
    const gappy = { ...closed, monday: ['09:00-17:00'], wednesday: ['09:00-17:00'], thursday: ['09:00-17:00'] };
    expect(spokenWeek(gappy, 'en-US')).toBe('Monday from 9 AM to 5 PM, and Wednesday and Thursday from 9 AM to 5 PM');
  });

  it('falls back to a terse form in a language without its own wording', () => {
    expect(spokenWeek({ ...closed, ...weekdays('08:00-20:00'), saturday: ['09:00-17:00'] }, 'fr-FR')).toBe('lundi–vendredi 8:00–20:00; samedi 9:00–17:00');
  });
});
