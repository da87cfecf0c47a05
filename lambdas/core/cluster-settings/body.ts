import { randomUUID } from 'node:crypto';
import { OpenSearchError } from '../../shared/errors';
import { javaDoubleToString } from '../../shared/java-number';
import type { SettingValue } from '../../shared/plugin-settings';

/**
 * The body of `PUT _cluster/settings` read as OpenSearch reads it (RestClusterUpdateSettingsAction,
 * Settings.Builder.loadFromMap): `persistent` and `transient` objects, nested or with dotted keys
 * (`{"plugins": {"rollup": {"enabled": false}}}` is `plugins.rollup.enabled`), every value
 * kept as its text (numbers spelled as Jackson reads them: `1.0`, `1e3` → `1000.0`), a list of
 * values as a list, `null` to reset. Other top-level keys are ignored, as OpenSearch ignores them.
 */
export type SectionName = 'persistent' | 'transient';
export const SECTIONS: readonly SectionName[] = ['transient', 'persistent'];

export type FlatSection = Record<string, SettingValue | null>;
export type FlatUpdate = Record<SectionName, FlatSection>;

/** A number as it stood in the body, so that `1.0` stays a double, as Jackson parses it. */
class NumberLiteral {
  constructor(readonly literal: string) {}
  toJava(): string {
    if (/^-?\d+$/.test(this.literal)) return BigInt(this.literal).toString();
    return javaDoubleToString(Number(this.literal));
  }
}

/** JSON.parse, with every number kept as the literal it was (not the closest JavaScript number). */
export const parseKeepingNumbers = (text: string): unknown => {
  const tag = `\u0000${randomUUID()}:`;
  let out = '';
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const number = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    const m = c === '-' || (c >= '0' && c <= '9') ? number.exec(text) : null;
    if (m) {
      out += JSON.stringify(`${tag}${m[0]}`);
      i += m[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(tag) ? new NumberLiteral(value.slice(tag.length)) : value,
  );
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof NumberLiteral);

const scalarText = (v: unknown): string | undefined =>
  v instanceof NumberLiteral
    ? v.toJava()
    : typeof v === 'string'
      ? v
      : typeof v === 'boolean'
        ? String(v)
        : undefined;

/** The section as JSON, for an error's reason. */
const asJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x instanceof NumberLiteral ? Number(x.literal) : x));

const tokenName = (v: unknown): string =>
  v === null
    ? 'VALUE_NULL'
    : Array.isArray(v)
      ? 'START_ARRAY'
      : v instanceof NumberLiteral
        ? 'VALUE_NUMBER'
        : typeof v === 'string'
          ? 'VALUE_STRING'
          : 'VALUE_BOOLEAN';

const loadFailed = (section: unknown, cause: { type: string; reason: string }): OpenSearchError =>
  new OpenSearchError(
    400,
    'settings_exception',
    `Failed to load settings from [${typeof section === 'string' ? section : asJson(section)}]`,
    {},
    cause,
  );

const flatten = (section: Record<string, unknown>): FlatSection => {
  const flat: FlatSection = {};
  const walk = (prefix: string, value: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(value)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (isObject(v)) walk(key, v);
      else if (v === null) flat[key] = null;
      else if (Array.isArray(v)) {
        const texts = v.map(scalarText);
        if (texts.some((t) => t === undefined)) {
          throw loadFailed(section, {
            type: 'illegal_state_exception',
            reason: 'only value lists are allowed in serialized settings',
          });
        }
        flat[key] = texts as string[];
      } else flat[key] = scalarText(v) as string;
    }
  };
  walk('', section);
  return flat;
};

/**
 * The update a body asks for, or undefined when the body is no JSON (the cluster then answers
 * with its own parse error).
 */
export const parseSettingsBody = (text: string): FlatUpdate | undefined => {
  let body: unknown;
  try {
    body = parseKeepingNumbers(text);
  } catch {
    return undefined;
  }
  const update: FlatUpdate = { persistent: {}, transient: {} };
  if (!isObject(body)) return update;
  for (const name of SECTIONS) {
    if (!(name in body)) continue;
    const section = body[name];
    if (!isObject(section)) {
      // OpenSearch answers 500 (a class cast, or this for null): we answer 400 with its words.
      throw loadFailed(section === null ? 'null' : section, {
        type: 'parsing_exception',
        reason: `Failed to parse object: expecting token of type [START_OBJECT] but found [${tokenName(section)}]`,
      });
    }
    update[name] = flatten(section);
  }
  return update;
};

export const isEmptyUpdate = (update: FlatUpdate): boolean =>
  SECTIONS.every((s) => Object.keys(update[s]).length === 0);
