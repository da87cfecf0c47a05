import { DateTime } from 'luxon';
import { luxonZone } from './schedule';

/**
 * The `date_format` of snapshot names, as OpenSearch's `DateFormatter.forPattern` renders it on
 * a node: Java `DateTimeFormatter` patterns (quoted literals, `[optional]` sections, the `p` pad
 * modifier, every pattern letter) and OpenSearch's named formats (`a||b` formats with `a`; a
 * leading `8` is dropped), in the root locale as the node runs it (`java.locale.providers=SPI,COMPAT`:
 * English names, ISO weeks: Monday first, four days make week 1). Fields come from luxon.
 *
 * Every output here was checked against a real OpenSearch 2.19 node (test/unit/sm/date-format.test.ts
 * holds the table). Invalid patterns fail with Java's message; the few letters we cannot render as
 * the node does fail with a message that names the letter (see CANNOT_RENDER).
 */
/** The date-time in luxon, and the zone as Java names it (what `VV` prints). */
interface Moment {
  readonly d: DateTime;
  readonly zoneId: string;
}
type Field = (m: Moment) => string;
type Piece = string | Field;

/** The printing pattern of each named format (the `strict_` twins print the same). */
const NAMED: Record<string, string> = {
  basic_date: 'yyyyMMdd',
  basic_date_time: "yyyyMMdd'T'HHmmss.SSSXXX",
  basic_date_time_no_millis: "yyyyMMdd'T'HHmmssXXX",
  basic_ordinal_date: 'yyyyDDD',
  basic_ordinal_date_time: "yyyyDDD'T'HHmmss.SSSXXX",
  basic_ordinal_date_time_no_millis: "yyyyDDD'T'HHmmssXXX",
  basic_time: 'HHmmss.SSSXXX',
  basic_time_no_millis: 'HHmmssXXX',
  basic_t_time: "'T'HHmmss.SSSXXX",
  basic_t_time_no_millis: "'T'HHmmssXXX",
  basic_week_date: "YYYY'W'wwe",
  basic_week_date_time: "YYYY'W'wwe'T'HHmmss.SSSXX",
  date: 'yyyy-MM-dd',
  date_hour: "yyyy-MM-dd'T'HH",
  date_hour_minute: "yyyy-MM-dd'T'HH:mm",
  date_hour_minute_second: "yyyy-MM-dd'T'HH:mm:ss",
  date_hour_minute_second_fraction: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  date_hour_minute_second_millis: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  date_optional_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  date_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  hour: 'HH',
  hour_minute: 'HH:mm',
  hour_minute_second: 'HH:mm:ss',
  hour_minute_second_fraction: 'HH:mm:ss.SSS',
  hour_minute_second_millis: 'HH:mm:ss.SSS',
  iso8601: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  ordinal_date: 'yyyy-DDD',
  ordinal_date_time: "yyyy-DDD'T'HH:mm:ss.SSSXXX",
  ordinal_date_time_no_millis: "yyyy-DDD'T'HH:mm:ssXXX",
  time: 'HH:mm:ss.SSSXXX',
  time_no_millis: 'HH:mm:ssXXX',
  t_time: "'T'HH:mm:ss.SSSXXX",
  t_time_no_millis: "'T'HH:mm:ssXXX",
  week_date: "YYYY-'W'ww-e",
  week_date_time: "YYYY-'W'ww-e'T'HH:mm:ss.SSSXXX",
  week_date_time_no_millis: "YYYY-'W'ww-e'T'HH:mm:ssXXX",
  weekyear: 'YYYY',
  weekyear_week: "YYYY-'W'ww",
  weekyear_week_day: "YYYY-'W'ww-e",
  year: 'yyyy',
  year_month: 'yyyy-MM',
  year_month_day: 'yyyy-MM-dd',
};

/** Where a `strict_` format prints differently from its lenient twin (the lenient one first). */
const LENIENT: Record<string, string> = {
  date_time_no_millis: "yyyy-MM-dd'T'HH:mm:ssVV",
  basic_week_date_time_no_millis: "YYYY'W'wwe'T'HHmmssXX",
};
const STRICT: Record<string, string> = {
  date_time_no_millis: "yyyy-MM-dd'T'HH:mm:ssXXX",
  basic_week_date_time_no_millis: "YYYY'W'wwe'T'HHmmssXXX",
  date_optional_time_nanos: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
};

const namedPattern = (name: string): string | undefined => {
  if (name === 'rfc3339_lenient') return NAMED.iso8601;
  const strict = name.startsWith('strict_');
  const plain = strict ? name.slice('strict_'.length) : name;
  const override = strict ? STRICT : LENIENT;
  if (Object.hasOwn(override, plain)) return override[plain];
  return Object.hasOwn(NAMED, plain) ? NAMED[plain] : undefined;
};

/** Letters Java knows whose output we cannot reproduce: why, and what to use instead. */
const CANNOT_RENDER: Record<string, string> = {
  z: 'the short time-zone name (CEST, BRT, IST...) comes from Java\'s own tables; use "zzzz", "VV", "O" or "XXX"',
  v: 'the short generic time-zone name comes from Java\'s own tables; use "vvvv", "VV", "O" or "XXX"',
};

export class DateFormatError extends Error {}

const pad = (n: number, width: number): string => {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
};

const tooMany = (letter: string, count: number, max: number): void => {
  if (count > max) throw new DateFormatError(`Too many pattern letters: ${letter}`);
};

/** luxon's English text for a luxon token (month and day names). */
const english =
  (token: string): Field =>
  ({ d }) =>
    d.setLocale('en-US').toFormat(token);

/** `+HH`, `+HHMM`, `+HH:MM` (seconds of the offset never occur in today's zones). */
const offsetText = (minutes: number, colon: boolean, minutesAlways: boolean): string => {
  const sign = minutes < 0 ? '-' : '+';
  const h = pad(Math.floor(Math.abs(minutes) / 60), 2);
  const m = pad(Math.abs(minutes) % 60, 2);
  if (!minutesAlways && m === '00') return `${sign}${h}`;
  return colon ? `${sign}${h}:${m}` : `${sign}${h}${m}`;
};

/** `X` (Z for zero) and `x` (never Z): the ISO offset in 1-5 letters. */
const isoOffset =
  (zForZero: boolean, count: number): Field =>
  ({ d }) => {
    if (zForZero && d.offset === 0) return 'Z';
    if (count === 1) return offsetText(d.offset, false, false);
    return offsetText(d.offset, count === 3 || count === 5, true);
  };

/** `O` / `OOOO` / `ZZZZ`: GMT, GMT+5:30 (short) or GMT+05:30 (full). */
const localizedOffset =
  (full: boolean): Field =>
  ({ d }) => {
    if (d.offset === 0) return 'GMT';
    if (full) return `GMT${offsetText(d.offset, true, true)}`;
    const sign = d.offset < 0 ? '-' : '+';
    const h = Math.floor(Math.abs(d.offset) / 60);
    const m = Math.abs(d.offset) % 60;
    return `GMT${sign}${h}${m === 0 ? '' : `:${pad(m, 2)}`}`;
  };

const UTC_IDS = /^(Etc\/)?(UTC|UCT|Universal|Zulu)$/;
const GMT_IDS = /^(Etc\/)?(GMT|GMT0|GMT[+-]0|Greenwich)$/;

/**
 * `zzzz` and `vvvv`: a zone's long English name (Intl's names are CLDR's, as Java's are); zones
 * with no name of their own (fixed offsets, Etc/GMT+5) print their id, as Java does.
 */
const zoneName =
  (generic: boolean): Field =>
  ({ d, zoneId }) => {
    if (UTC_IDS.test(zoneId)) return 'Coordinated Universal Time';
    if (GMT_IDS.test(zoneId)) return 'Greenwich Mean Time';
    const name = generic
      ? new Intl.DateTimeFormat('en-US', { timeZone: d.zoneName ?? 'UTC', timeZoneName: 'longGeneric' })
          .formatToParts(d.toJSDate())
          .find((p) => p.type === 'timeZoneName')?.value
      : d.setLocale('en-US').offsetNameLong;
    return !name || /^(GMT|UTC)([+-]|$)/.test(name) ? zoneId : name;
  };

/**
 * `W`: week of month with ISO week rules (Monday first, a week needs four days of the month to be
 * week 1; the days before it are week 0), as java.time's WeekFields computes it.
 */
const weekOfMonth = (d: DateTime): number => {
  const weekStart = (((d.day - d.weekday) % 7) + 7) % 7;
  const offset = weekStart + 1 > 4 ? 7 - weekStart : -weekStart;
  return Math.floor((7 + offset + (d.day - 1)) / 7);
};

/** Days from 1858-11-17 (the modified Julian day) of the local date. */
const modifiedJulianDay = (d: DateTime): number =>
  Math.round(DateTime.utc(d.year, d.month, d.day).toMillis() / 86_400_000) + 40_587;

const ampm: Field = ({ d }) => (d.hour < 12 ? 'AM' : 'PM');

/** One run of the same letter → its renderer, or a DateFormatError with Java's message. */
const field = (letter: string, count: number): Field => {
  if (letter === 'z') tooMany(letter, count, 4);
  if (letter === 'v' && count !== 1 && count !== 4)
    throw new DateFormatError(`Wrong number of pattern letters: ${letter}`);
  const why = CANNOT_RENDER[letter];
  if (why && count !== 4)
    throw new DateFormatError(`Pattern letter ${letter} cannot be rendered here: ${why}`);
  switch (letter) {
    case 'G':
      tooMany(letter, count, 5);
      if (count === 4) return ({ d }) => (d.year > 0 ? 'CE' : 'BCE');
      if (count === 5) return ({ d }) => (d.year > 0 ? 'A' : 'B');
      return ({ d }) => (d.year > 0 ? 'AD' : 'BC');
    case 'u':
    case 'y':
      return ({ d }) => (count === 2 ? pad(d.year % 100, 2) : pad(d.year, count));
    case 'Y':
      return ({ d }) => (count === 2 ? pad(d.weekYear % 100, 2) : pad(d.weekYear, count));
    case 'D':
      tooMany(letter, count, 3);
      return ({ d }) => pad(d.ordinal, count);
    case 'M':
    case 'L':
      tooMany(letter, count, 5);
      if (count === 3) return english('MMM');
      if (count === 4) return english('MMMM');
      return ({ d }) => pad(d.month, count === 5 ? 1 : count);
    case 'd':
      tooMany(letter, count, 2);
      return ({ d }) => pad(d.day, count);
    case 'Q':
    case 'q':
      tooMany(letter, count, 5);
      if (letter === 'Q' && (count === 3 || count === 4)) return ({ d }) => `Q${d.quarter}`;
      return ({ d }) => pad(d.quarter, count === 2 ? 2 : 1);
    case 'w':
      tooMany(letter, count, 2);
      return ({ d }) => pad(d.weekNumber, count);
    case 'W':
      tooMany(letter, count, 1);
      return ({ d }) => String(weekOfMonth(d));
    case 'E':
      tooMany(letter, count, 5);
      if (count === 4) return english('EEEE');
      if (count === 5) return english('EEEEE');
      return english('EEE');
    case 'c':
      if (count === 2) throw new DateFormatError('Invalid pattern "cc"');
    // falls through: otherwise as `e`
    case 'e':
      tooMany(letter, count, 5);
      if (count <= 2) return ({ d }) => pad(d.weekday, count);
      if (count === 3) return english('EEE');
      if (count === 4) return english('EEEE');
      return english('EEEEE');
    case 'F':
      tooMany(letter, count, 1);
      return ({ d }) => String(((d.day - 1) % 7) + 1);
    case 'a':
      tooMany(letter, count, 1);
      return ampm;
    case 'B':
      // The node's root locale has no day periods: it prints AM/PM.
      if (count !== 1 && count !== 4 && count !== 5)
        throw new DateFormatError(`Wrong number of pattern letters: ${letter}`);
      return count === 5 ? ({ d }) => (d.hour < 12 ? 'a' : 'p') : ampm;
    case 'h':
      tooMany(letter, count, 2);
      return ({ d }) => pad(d.hour % 12 === 0 ? 12 : d.hour % 12, count);
    case 'K':
      tooMany(letter, count, 2);
      return ({ d }) => pad(d.hour % 12, count);
    case 'k':
      tooMany(letter, count, 2);
      return ({ d }) => pad(d.hour === 0 ? 24 : d.hour, count);
    case 'H':
      tooMany(letter, count, 2);
      return ({ d }) => pad(d.hour, count);
    case 'm':
      tooMany(letter, count, 2);
      return ({ d }) => pad(d.minute, count);
    case 's':
      tooMany(letter, count, 2);
      return ({ d }) => pad(d.second, count);
    case 'S':
      if (count > 9)
        throw new DateFormatError(`Minimum width must be from 0 to 9 inclusive but was ${count}`);
      return ({ d }) => pad(d.millisecond, 3).padEnd(count, '0').slice(0, count);
    case 'A':
      return ({ d }) => pad(d.hour * 3_600_000 + d.minute * 60_000 + d.second * 1000 + d.millisecond, count);
    case 'n':
      return ({ d }) => pad(d.millisecond * 1_000_000, count);
    case 'N':
      return ({ d }) =>
        pad((d.hour * 3_600_000 + d.minute * 60_000 + d.second * 1000 + d.millisecond) * 1_000_000, count);
    case 'g':
      return ({ d }) => pad(modifiedJulianDay(d), count);
    case 'V':
      if (count !== 2) throw new DateFormatError('Pattern letter count must be 2: V');
      return ({ zoneId }) => zoneId;
    case 'v':
      return zoneName(true);
    case 'z':
      return zoneName(false);
    case 'O':
      if (count !== 1 && count !== 4) throw new DateFormatError('Pattern letter count must be 1 or 4: O');
      return localizedOffset(count === 4);
    case 'X':
    case 'x':
      tooMany(letter, count, 5);
      return isoOffset(letter === 'X', count);
    case 'Z':
      tooMany(letter, count, 5);
      if (count === 4) return localizedOffset(true);
      if (count === 5) return isoOffset(true, 5);
      return ({ d }) => offsetText(d.offset, false, true);
    default:
      throw new DateFormatError(`Unknown pattern letter: ${letter}`);
  }
};

/** `'...'` at `i`: the literal (`''` inside is a quote) and where the pattern goes on. */
const quoted = (pattern: string, i: number): { literal: string; next: number } => {
  if (pattern[i + 1] === "'") return { literal: "'", next: i + 2 };
  let literal = '';
  for (let j = i + 1; ;) {
    const close = pattern.indexOf("'", j);
    if (close < 0) throw new DateFormatError(`Pattern ends with an incomplete string literal: ${pattern}`);
    literal += pattern.slice(j, close);
    if (pattern[close + 1] !== "'") return { literal, next: close + 1 };
    literal += "'";
    j = close + 2;
  }
};

const compile = (pattern: string): Piece[] => {
  const pieces: Piece[] = [];
  let depth = 0;
  let padTo = 0; // `p`: the next field is padded with spaces to this width
  const push = (piece: Piece): void => {
    const width = padTo;
    padTo = 0;
    if (width === 0) pieces.push(piece);
    else if (typeof piece === 'string') pieces.push(piece.padStart(width, ' '));
    else pieces.push((m) => piece(m).padStart(width, ' '));
  };
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    let j = i;
    while (pattern[j] === c) j++;
    if (c === 'p' && /[A-Za-z[']/.test(pattern[j] ?? '')) {
      padTo = j - i;
      i = j;
      continue;
    }
    if (c === 'p')
      throw new DateFormatError(`Pad letter 'p' must be followed by valid pad pattern: ${pattern}`);
    if (/[A-Za-z]/.test(c)) {
      push(field(c, j - i));
      i = j;
    } else if (c === "'") {
      const { literal, next } = quoted(pattern, i);
      push(literal);
      i = next;
    } else if (c === '[') {
      depth++; // optional sections print when their fields exist: always, for a zoned date-time
      i++;
    } else if (c === ']') {
      if (depth === 0) throw new DateFormatError('Pattern invalid as it contains ] without previous [');
      depth--;
      i++;
    } else if (c === '{' || c === '}' || c === '#') {
      throw new DateFormatError(`Pattern includes reserved character: '${c}'`);
    } else {
      push(c);
      i++;
    }
  }
  return pieces;
};

export interface CompiledDateFormat {
  /** `zoneId` as Java names it (normalizeZoneId): an IANA id, UTC, or a fixed offset like +05:30. */
  format(epochMillis: number, zoneId: string): string;
}

/** Compiles a `date_format`; throws DateFormatError with Java's message when it is invalid. */
export const compileDateFormat = (dateFormat: string): CompiledDateFormat => {
  // OpenSearch: `a||b` formats with the first; a leading 8 (the old "java time" marker) is dropped.
  let first = dateFormat.split('||')[0];
  if (first.startsWith('8') && first.length > 1) first = first.slice(1);
  if (first === 'epoch_millis') return { format: (ms) => String(ms) };
  if (first === 'epoch_second') return { format: (ms) => String(Math.floor(ms / 1000)) };
  const pattern = namedPattern(first) ?? first;
  if (pattern.trim() === '') throw new DateFormatError(`Invalid format: [${dateFormat}]: empty pattern`);
  const pieces = compile(pattern);
  return {
    format: (ms, zoneId) => {
      const moment = { d: DateTime.fromMillis(ms, { zone: luxonZone(zoneId) }), zoneId };
      return pieces.map((p) => (typeof p === 'string' ? p : p(moment))).join('');
    },
  };
};

export const DEFAULT_DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";
