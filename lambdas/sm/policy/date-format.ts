import { DateTime } from 'luxon';

/**
 * The `date_format` of snapshot names: Java `DateTimeFormatter` patterns (and a few of
 * OpenSearch's named formats), rendered with luxon in the policy's zone, English names.
 * The pattern is compiled once into pieces: quoted literals stay text, letter runs become
 * fields. Unknown letters fail as Java fails (`Unknown pattern letter: b`).
 */
type Piece = string | ((d: DateTime) => string);

const NAMED: Record<string, string> = {
  strict_date_optional_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  date_optional_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  strict_date_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  date_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  strict_date_time_no_millis: "yyyy-MM-dd'T'HH:mm:ssXXX",
  date_time_no_millis: "yyyy-MM-dd'T'HH:mm:ssXXX",
  basic_date: 'yyyyMMdd',
  basic_date_time: "yyyyMMdd'T'HHmmss.SSSX",
  basic_date_time_no_millis: "yyyyMMdd'T'HHmmssX",
  strict_date: 'yyyy-MM-dd',
  date: 'yyyy-MM-dd',
  strict_date_hour: "yyyy-MM-dd'T'HH",
  date_hour: "yyyy-MM-dd'T'HH",
  strict_date_hour_minute: "yyyy-MM-dd'T'HH:mm",
  date_hour_minute: "yyyy-MM-dd'T'HH:mm",
  strict_date_hour_minute_second: "yyyy-MM-dd'T'HH:mm:ss",
  date_hour_minute_second: "yyyy-MM-dd'T'HH:mm:ss",
  strict_year_month: 'yyyy-MM',
  year_month: 'yyyy-MM',
  strict_year: 'yyyy',
  year: 'yyyy',
};

export class DateFormatError extends Error {}

const pad = (n: number, width: number): string => {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
};

const offset = (d: DateTime, style: 'X' | 'x' | 'Z', count: number): string => {
  const total = d.offset; // minutes
  if (style === 'X' && total === 0) return 'Z';
  const sign = total < 0 ? '-' : '+';
  const h = pad(Math.floor(Math.abs(total) / 60), 2);
  const m = pad(Math.abs(total) % 60, 2);
  if (style === 'Z') {
    if (count <= 3) return `${sign}${h}${m}`;
    if (count === 4) return total === 0 ? 'GMT' : `GMT${sign}${h}:${m}`;
    return total === 0 ? 'Z' : `${sign}${h}:${m}`;
  }
  if (count === 1) return m === '00' ? `${sign}${h}` : `${sign}${h}${m}`;
  if (count === 2 || count === 4) return `${sign}${h}${m}`;
  return `${sign}${h}:${m}`;
};

const text = (d: DateTime, fmt: string): string => d.setLocale('en-US').toFormat(fmt);

/** One run of the same letter → its renderer, or a DateFormatError. */
const field = (letter: string, count: number): ((d: DateTime) => string) => {
  const tooMany = (max: number): void => {
    if (count > max) throw new DateFormatError(`Too many pattern letters: ${letter}`);
  };
  switch (letter) {
    case 'y':
    case 'u':
    case 'Y':
      return (d) => (count === 2 ? pad(d.year % 100, 2) : pad(d.year, count));
    case 'M':
    case 'L':
      tooMany(5);
      if (count === 3) return (d) => text(d, 'MMM');
      if (count === 4) return (d) => text(d, 'MMMM');
      if (count === 5) return (d) => text(d, 'MMMMM');
      return (d) => pad(d.month, count);
    case 'd':
      tooMany(2);
      return (d) => pad(d.day, count);
    case 'D':
      tooMany(3);
      return (d) => pad(d.ordinal, count);
    case 'H':
      tooMany(2);
      return (d) => pad(d.hour, count);
    case 'k':
      tooMany(2);
      return (d) => pad(d.hour === 0 ? 24 : d.hour, count);
    case 'h':
      tooMany(2);
      return (d) => pad(d.hour % 12 === 0 ? 12 : d.hour % 12, count);
    case 'K':
      tooMany(2);
      return (d) => pad(d.hour % 12, count);
    case 'm':
      tooMany(2);
      return (d) => pad(d.minute, count);
    case 's':
      tooMany(2);
      return (d) => pad(d.second, count);
    case 'S':
      return (d) => pad(d.millisecond, 3).padEnd(count, '0').slice(0, count);
    case 'n':
      return (d) => String(d.millisecond * 1_000_000);
    case 'A':
      return (d) => String(d.hour * 3_600_000 + d.minute * 60_000 + d.second * 1000 + d.millisecond);
    case 'a':
      tooMany(1);
      return (d) => (d.hour < 12 ? 'AM' : 'PM');
    case 'E':
      tooMany(5);
      if (count === 4) return (d) => text(d, 'EEEE');
      if (count === 5) return (d) => text(d, 'EEEEE');
      return (d) => text(d, 'EEE');
    case 'e':
    case 'c':
      tooMany(5);
      if (count <= 2) return (d) => pad(d.weekday, count);
      if (count === 4) return (d) => text(d, 'EEEE');
      return (d) => text(d, 'EEE');
    case 'w':
      tooMany(2);
      return (d) => pad(d.weekNumber, count);
    case 'Q':
    case 'q':
      tooMany(5);
      return (d) => (count <= 2 ? pad(d.quarter, count) : count === 3 ? `Q${d.quarter}` : `${d.quarter}`);
    case 'G':
      tooMany(5);
      return (d) => (count === 4 ? (d.year > 0 ? 'Anno Domini' : 'Before Christ') : d.year > 0 ? 'AD' : 'BC');
    case 'X':
    case 'x':
      tooMany(5);
      return (d) => offset(d, letter, count);
    case 'Z':
      tooMany(5);
      return (d) => offset(d, 'Z', count);
    case 'z':
      tooMany(4);
      return (d) => (count === 4 ? (d.offsetNameLong ?? d.zoneName ?? '') : (d.offsetNameShort ?? ''));
    case 'V':
      if (count !== 2) throw new DateFormatError('Pattern letter count must be 2: V');
      return (d) => d.zoneName ?? '';
    case 'O':
      return (d) => (d.offset === 0 ? 'GMT' : `GMT${offset(d, 'Z', 5)}`);
    default:
      throw new DateFormatError(`Unknown pattern letter: ${letter}`);
  }
};

const compile = (pattern: string): Piece[] => {
  const pieces: Piece[] = [];
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        pieces.push("'");
        i += 2;
        continue;
      }
      if (end < 0) throw new DateFormatError(`Pattern ends with an incomplete string literal: ${pattern}`);
      // '' inside a quoted literal is a quote
      let literal = '';
      let j = i + 1;
      for (;;) {
        const close = pattern.indexOf("'", j);
        if (close < 0)
          throw new DateFormatError(`Pattern ends with an incomplete string literal: ${pattern}`);
        literal += pattern.slice(j, close);
        if (pattern[close + 1] === "'") {
          literal += "'";
          j = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      pieces.push(literal);
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      pieces.push(field(c, j - i));
      i = j;
    } else if (c === '[' || c === ']' || c === '{' || c === '}' || c === '#') {
      if (c === '{' || c === '}' || c === '#')
        throw new DateFormatError(`Pattern includes reserved character: '${c}'`);
      i++; // optional sections print when they can: always, here
    } else {
      pieces.push(c);
      i++;
    }
  }
  return pieces;
};

export interface CompiledDateFormat {
  format(epochMillis: number, zone: string): string;
}

/** Compiles a `date_format`; throws DateFormatError with Java's message when it is invalid. */
export const compileDateFormat = (dateFormat: string): CompiledDateFormat => {
  // OpenSearch: `a||b` formats with the first.
  const first = dateFormat.split('||')[0];
  if (first === 'epoch_millis') return { format: (ms) => String(ms) };
  if (first === 'epoch_second') return { format: (ms) => String(Math.floor(ms / 1000)) };
  const pattern = NAMED[first] ?? first;
  if (pattern.trim() === '') throw new DateFormatError(`Invalid format: [${dateFormat}]: empty pattern`);
  const pieces = compile(pattern);
  return {
    format: (ms, zone) => {
      const d = DateTime.fromMillis(ms, { zone });
      return pieces.map((p) => (typeof p === 'string' ? p : p(d))).join('');
    },
  };
};

export const DEFAULT_DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";
