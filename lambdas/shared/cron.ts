import { OpenSearchError, illegalArgument } from './errors';

/**
 * job-scheduler's cron check: cron-utils 9.2.1's parser with its UNIX definition, so that a bad
 * expression is refused with the library's own words, as every plugin that schedules by cron
 * (ISM transitions, SM, rollups, transforms) refuses it.
 *
 *   checkUnixCron('61 * * * *')
 *   // illegal_argument_exception "Failed to parse cron expression. Value 61 not in range [0, 59]"
 *   //   caused_by illegal_argument_exception "Value 61 not in range [0, 59]"
 *
 * Only the check lives here; when an expression fires is cron-parser's business. Composite
 * expressions (`a||b`, `1|2 * * * *`), which cron-utils also reads, are refused as invalid
 * characters: nothing downstream could run them.
 */

interface FieldConstraints {
  start: number;
  end: number;
  /** Names the field reads as numbers (month and weekday names). */
  names: Record<string, number>;
  /** Numbers read as others (weekday 7 is 0). */
  ints: Record<number, number>;
}

const MONTHS = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
};
const WEEKDAYS = { MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6, SUN: 7 };

/** CronDefinitionBuilder.unixCrontab(): minute, hour, day of month, month, day of week. */
const UNIX_FIELDS: FieldConstraints[] = [
  { start: 0, end: 59, names: {}, ints: {} },
  { start: 0, end: 23, names: {}, ints: {} },
  { start: 1, end: 31, names: {}, ints: {} },
  { start: 1, end: 12, names: MONTHS, ints: {} },
  { start: 0, end: 7, names: WEEKDAYS, ints: { 7: 0 } },
];
const DAY_OF_WEEK = 4;

type Special = 'NONE' | 'L' | 'W' | 'LW' | 'HASH' | 'QUESTION_MARK';
const SPECIALS: readonly Special[] = ['LW', 'L', 'W', 'HASH', 'QUESTION_MARK', 'NONE'];

/** A field value: a number, or one of the special characters (only in ranges). */
type Value = number | Special;

type Expression =
  | { kind: 'always' }
  | { kind: 'question_mark' }
  | { kind: 'on'; time: number; special: Special; nth: number }
  | { kind: 'between'; from: Value; to: Value }
  | { kind: 'every'; expression: Expression; period: number }
  | { kind: 'and'; expressions: Expression[] };

const ALWAYS: Expression = { kind: 'always' };
const on = (time: number, special: Special = 'NONE', nth = -1): Expression => ({
  kind: 'on',
  time,
  special,
  nth,
});

/** Java's String.split with a literal one-character separator: trailing empty strings dropped. */
const javaSplit = (s: string, separator: string): string[] => {
  const parts = s.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 0 && s === '' ? [''] : parts;
};

/** Java's Integer.parseInt; undefined where it throws. */
const parseJavaInt = (s: string): number | undefined => {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n < -(2 ** 31) || n >= 2 ** 31 ? undefined : n;
};

/** Integer.parseInt where cron-utils lets its NumberFormatException through. */
const parseIntOrThrow = (s: string): number => {
  const n = parseJavaInt(s);
  if (n === undefined) throw new OpenSearchError(400, 'number_format_exception', `For input string: "${s}"`);
  return n;
};

/** StringValidations.removeValidChars: what is left of an expression once every valid part is gone. */
const removeValidChars = (c: FieldConstraints, exp: string): string => {
  let rest = exp.toUpperCase().replace(/[#?/*0-9]/g, '');
  const names = Object.keys(c.names);
  if (names.length > 0) rest = rest.replace(new RegExp(`\\b(${names.join('|')})\\b`, 'g'), '');
  return rest.replace(/\s+/g, '').replace(/,/g, '').replace(/-/g, '');
};

const invalidChars = (exp: string, chars: string): OpenSearchError =>
  illegalArgument(`Invalid chars in expression! Expression: ${exp} Invalid chars: ${chars}`);

/** FieldParser: one field's text to its expression. */
class FieldParser {
  constructor(private readonly c: FieldConstraints) {}

  parse(expression: string): Expression {
    if (!/[/\-,]/.test(expression)) {
      if (expression.includes('?')) throw illegalArgument(`Invalid expression: ${expression}`);
      return this.noSpecialCharsNorStar(expression);
    }
    const list = javaSplit(expression, ',');
    if (list.length > 1) return { kind: 'and', expressions: list.map((e) => this.parse(e)) };
    const range = javaSplit(expression, '-');
    if (expression.includes('-') && range.length !== 2) {
      throw illegalArgument(`Missing values for range: ${expression}`);
    }
    if (range[0].toUpperCase() === 'L') return this.onWithL(range[0], this.integer(range[1]));
    if (range.length > 1) return this.between(range);
    const steps = javaSplit(expression, '/');
    if (steps.length === 1) throw illegalArgument(`Missing steps for expression: ${expression}`);
    if (steps.length !== 2) throw illegalArgument(`Invalid expression: ${expression}`);
    return this.every(steps[0], steps[1]);
  }

  private every(start: string, period: string): Expression {
    const trimmed = start.trim();
    if (trimmed === '*' && period === '1') return this.noSpecialCharsNorStar(start);
    if (trimmed === '*' || trimmed === '')
      return { kind: 'every', expression: ALWAYS, period: parseIntOrThrow(period) };
    return { kind: 'every', expression: on(this.integer(start)), period: parseIntOrThrow(period) };
  }

  private noSpecialCharsNorStar(expression: string): Expression {
    if (expression === '*') return ALWAYS;
    if (expression === '?') return { kind: 'question_mark' };
    return this.on(expression);
  }

  private between([from, to]: string[]): Expression {
    if (from === '' || to === '') {
      throw illegalArgument(
        `Invalid expression! Expression: ${from}-${to} does not describe a range. Negative numbers are not allowed.`,
      );
    }
    if (!to.includes('/')) return { kind: 'between', from: this.value(from), to: this.value(to) };
    const [end, period] = javaSplit(to, '/');
    if (period === undefined) throw illegalArgument(`Missing steps for expression: ${from}-${to}`);
    return {
      kind: 'every',
      expression: { kind: 'between', from: this.value(from), to: this.value(end) },
      period: this.integer(period),
    };
  }

  private on(exp: string): Expression {
    if (exp === '?') return { kind: 'question_mark' };
    // The UNIX definition supports none of #, LW, L, W: they parse, and validation refuses them.
    if (exp.includes('#')) throw illegalArgument(`Invalid expression: ${exp}`);
    if (exp.includes('LW')) {
      const rest = exp.replaceAll('LW', '');
      if (rest !== '') throw illegalArgument(`Expected: LW, found: ${rest}`);
      return on(-1, 'LW');
    }
    if (/[0-9]L/i.test(exp) || exp.toUpperCase() === 'L') return this.onWithL(exp, -1);
    if (/[0-9]W/i.test(exp)) return on(this.integer(exp.replaceAll('W', '')), 'W');
    return on(this.integer(exp));
  }

  private onWithL(exp: string, nth: number): Expression {
    const rest = exp.replaceAll('L', '');
    return on(rest === '' ? -1 : this.integer(rest), 'L', nth);
  }

  /** mapToIntegerFieldValue: names and numbers, with the field's int mapping (weekday 7 → 0). */
  private integer(s: string): number {
    const n = this.stringToInt(s);
    return this.c.ints[n] ?? n;
  }

  /** map: special characters by name, else names and numbers (no int mapping). */
  private value(s: string): Value {
    const special = SPECIALS.find((sc) => sc === s);
    return special ?? this.stringToInt(s);
  }

  private stringToInt(s: string): number {
    const named = this.c.names[s];
    if (named !== undefined) return named;
    const n = parseJavaInt(s);
    if (n === undefined) throw invalidChars(s, removeValidChars(this.c, s));
    return n;
  }
}

/** FieldExpression.asString(). */
const asString = (e: Expression): string => {
  switch (e.kind) {
    case 'always':
      return '*';
    case 'question_mark':
      return '?';
    case 'and':
      return e.expressions.map(asString).join(',');
    case 'between':
      return `${e.from}-${e.to}`;
    case 'every': {
      const inner = asString(e.expression);
      return inner === '*' && e.period === 1 ? inner : `${inner}/${e.period}`;
    }
    case 'on':
      switch (e.special) {
        case 'NONE':
          return String(e.time);
        case 'HASH':
          return `${e.time}#${e.nth}`;
        case 'W':
          return e.time === -1 ? 'W' : `${e.time}W`;
        case 'L':
          return e.time === -1 ? `L${e.nth === -1 ? '' : `-${e.nth}`}` : `${e.time}L`;
        case 'QUESTION_MARK':
          return '?';
        default:
          return e.special;
      }
  }
};

/** ValidationFieldExpressionVisitor with a strict range and no special characters. */
const validate = (c: FieldConstraints, e: Expression): void => {
  const text = asString(e);
  const unsupported = removeValidChars(c, text);
  if (unsupported !== '') throw invalidChars(text, unsupported);
  const inRange = (v: Value) => {
    if (typeof v === 'number' && (v < c.start || v > c.end)) {
      throw illegalArgument(`Value ${v} not in range [${c.start}, ${c.end}]`);
    }
  };
  switch (e.kind) {
    case 'and':
      e.expressions.forEach((x) => validate(c, x));
      return;
    case 'between':
      inRange(e.from);
      inRange(e.to);
      if ((typeof e.from === 'string' && e.from !== 'L') || (typeof e.to === 'string' && e.to !== 'L')) {
        throw illegalArgument("No special characters allowed in range, except for 'L'");
      }
      if (typeof e.from === 'number' && typeof e.to === 'number' && e.from > e.to) {
        throw illegalArgument(`Invalid range! [${e.from},${e.to}]`);
      }
      return;
    case 'every':
      validate(c, e.expression);
      if (e.period <= 0 || e.period > c.end - c.start + 1 || e.period > c.end) {
        throw illegalArgument(`Period ${e.period} not in range [${c.start}, ${c.end}]`);
      }
      return;
    case 'on':
      if (e.time !== -1) inRange(e.time);
      if (e.nth !== -1) inRange(e.nth);
      return;
    default:
      return;
  }
};

/** CronParser.parse with the UNIX definition: throws what it throws, returns nothing. */
export const checkUnixCron = (expression: string): void => {
  const replaced = expression.replace(/\s+/g, ' ').trim();
  if (replaced === '') throw illegalArgument('Empty expression!');
  if (expression.startsWith('@')) throw illegalArgument('Nicknames not supported!');
  const parts = replaced.toUpperCase().split(' ');
  const trailingComma = parts.find((p) => p.endsWith(','));
  if (trailingComma !== undefined) {
    throw illegalArgument(`Invalid field value! Trailing commas not permitted! '${trailingComma}'`);
  }
  if (parts.length !== UNIX_FIELDS.length) {
    throw illegalArgument(`Cron expression contains ${parts.length} parts but we expect one of [5]`);
  }
  try {
    const expressions = parts.map((part, i) => {
      const c = UNIX_FIELDS[i];
      let text = part;
      if (i === DAY_OF_WEEK && text.endsWith('L')) {
        const day = c.names[text.slice(0, -1)];
        if (day !== undefined) text = `${day}L`;
      }
      return new FieldParser(c).parse(text);
    });
    expressions.forEach((e, i) => validate(UNIX_FIELDS[i], e));
  } catch (e) {
    if (!(e instanceof OpenSearchError)) throw e;
    throw new OpenSearchError(
      400,
      'illegal_argument_exception',
      `Failed to parse cron expression. ${e.reason}`,
      {},
      {
        type: e.type,
        reason: e.reason,
      },
    );
  }
};
