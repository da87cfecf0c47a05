import { illegalArgument } from '../../shared/errors';
import type { MessageTemplate } from './model';
import {
  type JsonObject,
  fields,
  isObject,
  mapOrdered,
  mapStrings,
  text,
  tokenOf,
  xContentParseException,
} from '../../shared/xcontent';

/**
 * OpenSearch's `Script.parse(parser, "mustache")`, used for message templates and the shrink
 * target-name template: a bare string is an inline mustache script; an object has source | id,
 * lang, options, params. Callers check the language themselves, with their own message.
 */
export interface ParsedScript {
  stored: boolean;
  source: string | JsonObject;
  /** null for stored scripts, which never carry a language. */
  lang: string | null;
  options: Record<string, string>;
  params: JsonObject;
}

const CONTENT_TYPE_OPTION = 'content_type';
const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';

const javaMapString = (m: Record<string, string>): string =>
  `{${Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;

export const parseScript = (value: unknown, defaultLang = 'mustache'): ParsedScript => {
  if (typeof value === 'string')
    return { stored: false, source: value, lang: defaultLang, options: {}, params: {} };
  if (!isObject(value))
    throw xContentParseException(`[script] Expected START_OBJECT but was: ${tokenOf(value)}`);

  let kind: 'inline' | 'stored' | undefined;
  let source: string | JsonObject | undefined;
  let lang: string | null = null;
  let options: Record<string, string> = {};
  let params: JsonObject = {};
  const setKind = (k: 'inline' | 'stored', field: string): void => {
    if (kind !== undefined) {
      throw xContentParseException(
        `[script] failed to parse field [${field}]`,
        illegalArgument('must only use one of [source] or [id] when specifying a script'),
      );
    }
    kind = k;
  };

  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'source':
        setKind('inline', field);
        if (isObject(v)) {
          // A JSON source is kept as JSON and tagged with its content type, as OpenSearch does.
          source = v;
          options = { ...options, [CONTENT_TYPE_OPTION]: JSON_CONTENT_TYPE };
        } else if (typeof v === 'string') {
          source = v;
        } else {
          throw xContentParseException(`[script] source doesn't support values of type: ${tokenOf(v)}`);
        }
        break;
      case 'id':
        setKind('stored', field);
        if (typeof v !== 'string')
          throw xContentParseException(`[script] id doesn't support values of type: ${tokenOf(v)}`);
        source = v;
        break;
      case 'lang':
        if (typeof v !== 'string')
          throw xContentParseException(`[script] lang doesn't support values of type: ${tokenOf(v)}`);
        lang = text(v);
        break;
      case 'options':
        options = { ...options, ...mapStrings(v) };
        break;
      case 'params':
        params = mapOrdered(v);
        break;
      default:
        throw xContentParseException(`[script] unknown field [${field}]`);
    }
  }

  if (kind === undefined || source === undefined) {
    throw illegalArgument('must specify either [source] for an inline script or [id] for a stored script');
  }
  if (kind === 'inline') {
    const others = Object.keys(options).filter((k) => k !== CONTENT_TYPE_OPTION);
    if (others.length > 0) {
      const illegal = Object.fromEntries(others.map((k) => [k, options[k]]));
      throw illegalArgument(`illegal compiler options [${javaMapString(illegal)}] specified`);
    }
    return { stored: false, source, lang: lang ?? defaultLang, options, params };
  }
  if (lang !== null) throw illegalArgument('lang cannot be specified for stored scripts');
  if (Object.keys(options).length > 0) {
    throw illegalArgument('field [options] cannot be specified using a stored script');
  }
  return { stored: true, source, lang: null, options, params };
};

/** Script.toXContent for an inline mustache script. */
export const renderMustache = (script: ParsedScript): MessageTemplate => {
  const out: MessageTemplate = { source: script.source, lang: 'mustache' };
  if (Object.keys(script.options).length > 0) out.options = script.options;
  if (Object.keys(script.params).length > 0) out.params = script.params;
  return out;
};

export const isMustache = (script: ParsedScript): boolean => !script.stored && script.lang === 'mustache';
