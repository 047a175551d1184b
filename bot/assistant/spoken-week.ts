import { spokenTime } from '../call-flow/spoken-moment.js';
import { weekDays, type WeekDay } from './config/contact-center-schema.js';

/** How a language strings days and hours together; languages without an entry get a terse form. */
interface WeekGrammar {
  readonly dayRun: (first: string, last: string) => string;
  readonly dayPair: (first: string, second: string) => string;
  readonly oneDay: (day: string) => string;
  readonly hours: (from: string, to: string) => string;
  readonly allDay: string;
  /** Two sets of hours on one day ("… and from 2:30 PM to 6 PM"). */
  readonly bothHours: string;
  /** The groups of days, in order. */
  readonly list: (parts: readonly string[]) => string;
}

/** "a, b, and c" with the language's "and" ("y"). */
const serial = (and: string) => (parts: readonly string[]): string =>
  parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')}, ${and} ${parts.at(-1)}`;

const grammars: Readonly<Record<string, WeekGrammar>> = {
  en: {
    dayRun: (a, b) => `${a} to ${b}`,
    dayPair: (a, b) => `${a} and ${b}`,
    oneDay: (a) => a,
    hours: (a, b) => `from ${a} to ${b}`,
    allDay: 'all day',
    bothHours: ' and ',
    list: serial('and'),
  },
  es: {
    dayRun: (a, b) => `de ${a} a ${b}`,
    dayPair: (a, b) => `los ${plural(a)} y ${plural(b)}`,
    oneDay: (a) => `los ${plural(a)}`,
    hours: (a, b) => `de ${a} a ${b}`,
    allDay: 'todo el día',
    bothHours: ' y ',
    list: serial('y'),
  },
};

/** Spanish weekdays ending in -s (lunes to viernes) are their own plural; sábado and domingo take an -s. */
function plural(day: string): string {
  return day.endsWith('s') ? day : `${day}s`;
}

const terse: WeekGrammar = {
  dayRun: (a, b) => `${a}–${b}`,
  dayPair: (a, b) => `${a}, ${b}`,
  oneDay: (a) => a,
  hours: (a, b) => `${a}–${b}`,
  allDay: '0:00–24:00',
  bothHours: ', ',
  list: (parts) => parts.join('; '),
};

/** A Monday in January, with no clock change near it: weekday names and times of day are read from it. */
const aMonday = Date.UTC(2026, 0, 5);

function weekdayName(index: number, language: string): string {
  return new Intl.DateTimeFormat(language, { weekday: 'long', timeZone: 'UTC' }).format(new Date(aMonday + index * 86_400_000));
}

function clock(hhmm: string, language: string): string {
  const [hours = 0, minutes = 0] = hhmm.split(':').map(Number);
  return spokenTime(new Date(aMonday + (hours % 24) * 3_600_000 + minutes * 60_000), language, 'UTC');
}

/**
 * A schedule's weekly hours as a caller hears them, days with the same hours run together:
 * "Monday to Friday from 8 AM to 8 PM, and Saturday from 9 AM to 5 PM"; "de lunes a viernes de
 * 8:00 a 20:00, y los sábados de 9:00 a 17:00". Holidays are left out; closed days are not named.
 */
export function spokenWeek(weekly: Readonly<Record<WeekDay, readonly string[]>>, language: string): string {
  const grammar = grammars[language.split('-')[0] ?? ''] ?? terse;
  const hoursOf = (day: WeekDay): string => {
    const ranges = weekly[day];
    return ranges
      .map((range) => (range === '00:00-24:00' || range === '00:00-00:00' ? grammar.allDay : grammar.hours(clock(range.slice(0, 5), language), clock(range.slice(6), language))))
      .join(grammar.bothHours);
  };
  const groups: { first: number; last: number; hours: string }[] = [];
  weekDays.forEach((day, index) => {
    if (weekly[day].length === 0) return;
    const hours = hoursOf(day);
    const previous = groups.at(-1);
    if (previous && previous.last === index - 1 && previous.hours === hours) previous.last = index;
    else groups.push({ first: index, last: index, hours });
  });
  const parts = groups.map(({ first, last, hours }) => {
    const days =
      first === last
        ? grammar.oneDay(weekdayName(first, language))
        : last === first + 1
          ? grammar.dayPair(weekdayName(first, language), weekdayName(last, language))
          : grammar.dayRun(weekdayName(first, language), weekdayName(last, language));
    return `${days} ${hours}`;
  });
  return grammar.list(parts);
}
