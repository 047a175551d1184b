import * as chrono from 'chrono-node';

export type DateRange = 'future' | 'past' | 'any';

/** chrono's parsers by primary language subtag; British-style day/month for English outside the US. */
function parserFor(language: string): chrono.Chrono {
  const [primary = 'en', region = ''] = language.split('-');
  if (primary === 'en') return region === 'US' || region === '' ? chrono.en.casual : chrono.en.GB;
  const byLanguage: Readonly<Record<string, { casual: chrono.Chrono } | undefined>> = {
    de: chrono.de, es: chrono.es, fr: chrono.fr, it: chrono.it, ja: chrono.ja, nl: chrono.nl, pt: chrono.pt,
    ru: chrono.ru, sv: chrono.sv, uk: chrono.uk, zh: chrono.zh,
  };
  return byLanguage[primary]?.casual ?? chrono.en.casual;
}

/** Minutes east of UTC in `timeZone` at `at` (New York in winter: -300). */
function offsetInMinutes(timeZone: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/**
 * Words that put a weekday in the past ("last Monday", "el lunes pasado"), by primary language:
 * before the weekday chrono matched, or after it. chrono's forward-date reading moves every bare
 * weekday to the coming week, these included, so a future date would be read back for them.
 */
const pastWeekdayMarkers: Readonly<Record<string, { readonly before?: RegExp; readonly after?: RegExp }>> = {
  en: { before: /\b(last|past|previous)\s+$/i },
  es: { before: /\b(pasado|anterior)\s+$/i, after: /^\s+(pasad[oa]|anterior)\b/i },
  fr: { after: /^\s+(dernier|derni[eè]re|pass[ée]e?)\b/i },
  de: { before: /\b(letzten?|vergangenen?)\s+$/i },
  pt: { after: /^\s+(passad[oa]|anterior)\b/i },
  it: { after: /^\s+(scors[oa])\b/i },
};

/** Whether a past marker stands right before the matched weekday (the match's last word) or right after the match. */
function saysPastWeekday(text: string, language: string, index: number, matched: string): boolean {
  const markers = pastWeekdayMarkers[language.split('-')[0] ?? 'en'];
  if (!markers) return false;
  const beforeWeekday = `${text.slice(0, index)}${matched}`.replace(/\S+\s*$/u, '');
  const after = text.slice(index + matched.length);
  return (markers.before?.test(beforeWeekday) ?? false) || (markers.after?.test(after) ?? false);
}

/** The calendar day `now` falls on in `timeZone`, as YYYY-MM-DD. */
export function todayIn(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const isoDate = (year: number, month: number, day: number) =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/**
 * What a caller's words say as a date: a date within the range, a date outside it ("yesterday" for
 * a booking), or no date at all.
 */
export type SpokenDateReading = { readonly kind: 'inRange'; readonly date: string } | { readonly kind: 'outOfRange' } | { readonly kind: 'noDate' };

/**
 * Reads the calendar date a caller said ("next Friday", "3 de diciembre", "tomorrow") as YYYY-MM-DD
 * in the line's time zone, and whether it falls in the range (a booking in the future, a date of
 * birth in the past). Pure: `now` is the decider's clock.
 */
export function readSpokenDate(text: string, language: string, now: Date, timeZone: string, range: DateRange): SpokenDateReading {
  const reference = { instant: now, timezone: offsetInMinutes(timeZone, now) };
  const [result] = parserFor(language).parse(text, reference, { forwardDate: range === 'future' });
  if (!result) return { kind: 'noDate' };
  const weekdayOnly = result.start.isCertain('weekday') && !result.start.isCertain('day');
  if (range === 'future' && weekdayOnly && saysPastWeekday(text, language, result.index, result.text)) return { kind: 'outOfRange' };
  const year = result.start.get('year');
  const month = result.start.get('month');
  const day = result.start.get('day');
  if (year === null || month === null || day === null) return { kind: 'noDate' };
  const said = isoDate(year, month, day);
  const today = todayIn(timeZone, now);
  if ((range === 'future' && said < today) || (range === 'past' && said > today)) return { kind: 'outOfRange' };
  return { kind: 'inRange', date: said };
}

/** A moment as a caller hears it, in the schedule's time zone ("Friday, November 27 at 8:00 AM"). */
export function spokenMoment(iso: string, language: string, timeZone: string): string {
  return new Intl.DateTimeFormat(language, { weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone }).format(new Date(iso));
}

/** From this many days away a date is read back with its year. */
const daysWithoutYear = 183;

/**
 * A YYYY-MM-DD date as a caller hears it read back ("Friday, December 4"; "December 4" without the
 * weekday). Given `today`, a date half a year or more away also says its year ("Wednesday, December
 * 1, 2027"; "Monday, March 3, 1980"), so the caller hears which year was understood.
 */
export function spokenDate(isoDay: string, language: string, options: { readonly weekday?: boolean; readonly today?: string } = {}): string {
  const at = utcDay(isoDay);
  const weekday = options.weekday === false ? {} : ({ weekday: 'long' } as const);
  const farAway = options.today !== undefined && Math.abs(at.getTime() - utcDay(options.today).getTime()) >= daysWithoutYear * 86_400_000;
  return new Intl.DateTimeFormat(language, { ...weekday, month: 'long', day: 'numeric', ...(farAway ? { year: 'numeric' } : {}), timeZone: 'UTC' }).format(at);
}

function utcDay(isoDay: string): Date {
  const [year, month, day] = isoDay.split('-').map(Number);
  return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1));
}
