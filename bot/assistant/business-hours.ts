import type { BusinessHoursSchedule, WeekDay } from './config/contact-center-schema.js';

export interface OpenStatus {
  readonly open: boolean;
  /** `holiday`: closed because today's date is one of the schedule's holidays. */
  readonly reason: 'open' | 'closed' | 'holiday';
  /** When closed: the next moment the schedule opens (absent if it never does within a year). */
  readonly nextOpenAt?: Date;
  /** When open: the moment it closes, ranges that follow on without a gap counted as one (absent if it never closes within a week). */
  readonly closesAt?: Date;
  /** When closed on a holiday (all day or outside its shorter hours): the holiday's name. */
  readonly holiday?: string;
}

export type ScheduleHours = Pick<BusinessHoursSchedule, 'timeZone' | 'weekly' | 'holidays'>;

const dayMs = 86_400_000;
/** Holidays are dated, so a schedule that opens only on one holiday a year still has a next opening. */
const searchDays = 400;
const weekDayByJsDay: readonly WeekDay[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

interface Span {
  /** Minutes after local midnight. */
  readonly from: number;
  /** Minutes after local midnight; at or before `from` when the range runs past midnight. */
  readonly to: number;
  readonly overnight: boolean;
}

/**
 * Whether `schedule` is open at `now`, judged by the local wall clock of its time zone: a range
 * "08:00-20:00" means 08:00 to 20:00 local time whatever the UTC offset that day. A range that runs
 * past midnight belongs to the day it starts on, so a holiday closes its own date's ranges but not
 * the tail of the previous evening's. Opening times that fall in a daylight-saving gap open when the
 * clocks jump; in the repeated hour the first pass counts.
 */
export function isOpen(schedule: ScheduleHours, now: Date): OpenStatus {
  const spansOn = spansOfDays(schedule);
  const holidayNames = new Map(schedule.holidays.map((h) => [h.date, h.name]));
  const rangeEnd = openRangeEnd(schedule, spansOn, now.getTime());
  if (rangeEnd !== undefined) {
    // While the schedule is open again the moment a range ends (the next one starts there), the next one's end.
    let closesAt = rangeEnd;
    for (let step = 0; step < 14; step++) {
      const next = openRangeEnd(schedule, spansOn, closesAt);
      if (next === undefined) return { open: true, reason: 'open', closesAt: new Date(closesAt) };
      closesAt = next;
    }
    return { open: true, reason: 'open' };
  }

  const wall = wallClock(schedule.timeZone, now.getTime());
  const today = Math.floor(wall / dayMs);
  const current = spansOn(today);
  const reason = current.holiday ? 'holiday' : 'closed';
  const holiday = current.holiday ? { holiday: holidayNames.get(isoDate(today)) as string } : {};
  for (let day = today; day < today + searchDays; day++) {
    for (const span of spansOn(day).spans) {
      const start = zonedTimeToInstant(schedule.timeZone, day * dayMs + span.from * 60_000);
      if (start > now.getTime()) return { open: false, reason, nextOpenAt: new Date(start), ...holiday };
    }
  }
  return { open: false, reason, ...holiday };
}

type SpansOn = (day: number) => { spans: Span[]; holiday: boolean };

/** A day's ranges (days counted from 1970-01-01 on the schedule's wall clock): its holiday's, else its weekday's. */
function spansOfDays(schedule: ScheduleHours): SpansOn {
  const holidays = new Map(schedule.holidays.map((h) => [h.date, h.hours]));
  return (day) => {
    const holidayHours = holidays.get(isoDate(day));
    const ranges = holidayHours ?? schedule.weekly[weekDayByJsDay[(((day + 4) % 7) + 7) % 7] ?? 'sunday'];
    return { spans: ranges.map(toSpan).sort((a, b) => a.from - b.from), holiday: holidayHours !== undefined };
  };
}

/** The end of the range the schedule is open in at `instant` (ms), or undefined when it is closed then. */
function openRangeEnd(schedule: ScheduleHours, spansOn: SpansOn, instant: number): number | undefined {
  const wall = wallClock(schedule.timeZone, instant);
  const today = Math.floor(wall / dayMs);
  const minute = (wall - today * dayMs) / 60_000;
  const openToday = spansOn(today).spans.find((s) => minute >= s.from && (s.overnight || minute < s.to));
  if (openToday) return zonedTimeToInstant(schedule.timeZone, (openToday.overnight ? today + 1 : today) * dayMs + openToday.to * 60_000);
  const openFromYesterday = spansOn(today - 1).spans.find((s) => s.overnight && minute < s.to);
  if (openFromYesterday) return zonedTimeToInstant(schedule.timeZone, today * dayMs + openFromYesterday.to * 60_000);
  return undefined;
}

function toSpan(range: string): Span {
  const from = minutesOf(range.slice(0, 5));
  const to = minutesOf(range.slice(6));
  return { from, to, overnight: to <= from };
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function isoDate(day: number): string {
  return new Date(day * dayMs).toISOString().slice(0, 10);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local wall-clock time in `timeZone` at `instant`, as milliseconds of a UTC-based timeline. */
function wallClock(timeZone: string, instant: number): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const part: Record<string, number> = {};
  for (const p of format.formatToParts(instant)) if (p.type !== 'literal') part[p.type] = Number(p.value);
  const ms = ((instant % 1000) + 1000) % 1000;
  return Date.UTC(part['year'] ?? 1970, (part['month'] ?? 1) - 1, part['day'] ?? 1, part['hour'] ?? 0, part['minute'] ?? 0, part['second'] ?? 0) + ms;
}

/**
 * The instant at which the wall clock in `timeZone` shows `wall`. Of two (clocks going back) the
 * earlier; of none (clocks going forward) the moment the clocks jump past it.
 */
function zonedTimeToInstant(timeZone: string, wall: number): number {
  const offsets = new Set([wall - dayMs, wall + dayMs].map((probe) => wallClock(timeZone, probe) - probe));
  const candidates = [...offsets].map((offset) => wall - offset);
  const exact = candidates.filter((instant) => wallClock(timeZone, instant) === wall);
  if (exact.length > 0) return Math.min(...exact);
  let low = Math.min(...candidates);
  let high = Math.max(...candidates);
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (wallClock(timeZone, middle) >= wall) high = middle;
    else low = middle;
  }
  return high;
}
