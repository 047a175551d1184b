import { spokenDate, todayIn } from './spoken-date.js';

/** The calendar day after `isoDay` (YYYY-MM-DD). */
function nextDay(isoDay: string): string {
  return new Date(Date.parse(`${isoDay}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Languages whose weekdays and dates take an article where English has none ("el lunes"). */
const dayArticle: Readonly<Record<string, string>> = { es: 'el ' };

/**
 * When something happens, as a caller hears it in their language and in the schedule's time zone:
 * the day ("today", "tomorrow", a weekday within the week, else the date) and the time ("8 PM";
 * "8:30 PM"; "20:00" where the language tells time on a 24-hour clock), and the two as one phrase
 * where the language has a wording for it ("tomorrow at 8 AM", "mañana a las 8:00", "hoy a la 1:00").
 */
export function spokenMoment(at: Date, language: string, timeZone: string, now: Date): { readonly day: string; readonly time: string; readonly dayAndTime: string } {
  const today = todayIn(timeZone, now);
  const day = todayIn(timeZone, at);
  const relative = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  const daysAhead = Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  const named = daysAhead > 0 && daysAhead < 7 ? new Intl.DateTimeFormat(language, { weekday: 'long', timeZone }).format(at) : spokenDate(day, language, { today });
  const spokenDay =
    day === today ? relative.format(0, 'day') : day === nextDay(today) ? relative.format(1, 'day') : `${dayArticle[language.split('-')[0] ?? ''] ?? ''}${named}`;
  const time = spokenTime(at, language, timeZone);
  return { day: spokenDay, time, dayAndTime: (dayAndTime[language.split('-')[0] ?? ''] ?? ((d, t) => `${d}, ${t}`))(spokenDay, time) };
}

/** The day and the time as one phrase: "Monday at 8 AM", "mañana a las 9:00" (but "a la 1:00"). */
const dayAndTime: Readonly<Record<string, (day: string, time: string) => string>> = {
  en: (day, time) => `${day} at ${time}`,
  es: (day, time) => `${day} a ${/^1:/.test(time) ? 'la' : 'las'} ${time}`,
};

/** The time of day of `at` in `timeZone`: "8 PM", "8:30 PM", or "20:00" in a 24-hour language. */
export function spokenTime(at: Date, language: string, timeZone: string): string {
  const twelveHour = ['h11', 'h12'].includes(new Intl.DateTimeFormat(language, { hour: 'numeric', timeZone }).resolvedOptions().hourCycle ?? '');
  const onTheHour = new Intl.DateTimeFormat('en-US', { minute: 'numeric', timeZone }).format(at) === '0';
  const time = new Intl.DateTimeFormat(language, { hour: 'numeric', ...(twelveHour && onTheHour ? {} : { minute: '2-digit' }), timeZone }).format(at);
  // Intl separates "8 PM" with a narrow no-break space; prompts are plain text.
  return time.replace(/[\u00a0\u202f]/g, ' ');
}
