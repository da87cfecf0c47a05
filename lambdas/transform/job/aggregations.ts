import { illegalArgument } from '../../shared/errors';
import { isObject, parsingException, tokenOf, type Json, type JsonObject } from '../../shared/xcontent';
import { SUPPORTED_AGGREGATIONS } from './model';

/**
 * A transform's `aggregations`, read as AggregatorFactories.parseAggregators reads them (with its
 * messages), checked against the types the plugin allows (`Unsupported aggregation [terms]`),
 * and rendered as the parsed builders write themselves back: the metric aggregations keep the
 * fields given; percentiles and scripted_metric spell out their defaults.
 *
 *   parseAggregations({ total: { sum: { field: 'price' } } }) // the same, checked
 */

/** Aggregation types OpenSearch registers (an unknown one is a parse error, not "unsupported"). */
const KNOWN_TYPES = new Set([
  ...SUPPORTED_AGGREGATIONS,
  'cardinality',
  'extended_stats',
  'geo_bounds',
  'geo_centroid',
  'median_absolute_deviation',
  'percentile_ranks',
  'stats',
  'top_hits',
  'weighted_avg',
  'matrix_stats',
  'adjacency_matrix',
  'auto_date_histogram',
  'composite',
  'date_histogram',
  'date_range',
  'diversified_sampler',
  'filter',
  'filters',
  'geo_distance',
  'geohash_grid',
  'geotile_grid',
  'global',
  'histogram',
  'ip_range',
  'missing',
  'multi_terms',
  'nested',
  'range',
  'rare_terms',
  'reverse_nested',
  'sampler',
  'significant_terms',
  'significant_text',
  'terms',
  'variable_width_histogram',
  'avg_bucket',
  'bucket_script',
  'bucket_selector',
  'bucket_sort',
  'cumulative_sum',
  'derivative',
  'extended_stats_bucket',
  'max_bucket',
  'min_bucket',
  'moving_avg',
  'moving_fn',
  'percentiles_bucket',
  'serial_diff',
  'stats_bucket',
  'sum_bucket',
]);

const SUPPORTED = new Set<string>(SUPPORTED_AGGREGATIONS);

const DEFAULT_PERCENTS = [1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0];

/** A script as Script.toXContent writes it: `{"source":..,"lang":"painless"}` (plus options/params). */
const renderScript = (script: Json): Json => {
  if (typeof script === 'string') return { source: script, lang: 'painless' };
  if (!isObject(script)) return script;
  if (script.id !== undefined) return script;
  const { source, inline, lang, options, params } = script;
  return {
    source: source ?? inline ?? null,
    lang: lang ?? 'painless',
    ...(options !== undefined ? { options } : {}),
    ...(params !== undefined && isObject(params) && Object.keys(params).length > 0 ? { params } : {}),
  };
};

const renderBody = (type: string, body: JsonObject): JsonObject => {
  if (type === 'percentiles') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(body))
      if (k !== 'percents' && k !== 'keyed' && k !== 'tdigest' && k !== 'hdr')
        out[k] = k === 'script' ? renderScript(v) : v;
    out.percents = (body.percents as Json) ?? DEFAULT_PERCENTS;
    out.keyed = body.keyed !== false;
    if (body.hdr !== undefined) out.hdr = body.hdr;
    else {
      const tdigest = isObject(body.tdigest) ? body.tdigest : {};
      out.tdigest = { compression: tdigest.compression ?? 100.0 };
    }
    return out;
  }
  if (type === 'scripted_metric') {
    const out: JsonObject = {};
    for (const s of ['init_script', 'map_script', 'combine_script', 'reduce_script'])
      if (body[s] !== undefined) out[s] = renderScript(body[s]);
    if (body.params !== undefined) out.params = body.params;
    return out;
  }
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(body)) out[k] = k === 'script' ? renderScript(v) : v;
  return out;
};

const parseOne = (name: string, definition: Json): JsonObject => {
  if (!isObject(definition)) {
    throw parsingException(
      `Aggregation definition for [${name} starts with a [${tokenOf(definition)}], expected a [START_OBJECT].`,
    );
  }
  let type: string | undefined;
  let body: JsonObject | undefined;
  let sub: JsonObject | undefined;
  let meta: JsonObject | undefined;
  for (const [field, v] of Object.entries(definition)) {
    if (!isObject(v)) {
      throw parsingException(
        `Expected [START_OBJECT] under [${field}], but got a [${tokenOf(v)}] in [${name}]`,
      );
    }
    if (field === 'meta') meta = v;
    else if (field === 'aggregations' || field === 'aggs') {
      if (sub !== undefined) throw parsingException(`Found two sub aggregation definitions under [${name}]`);
      sub = parseAggregationsAt(v);
    } else {
      if (type !== undefined) {
        throw parsingException(
          `Found two aggregation type definitions in [${name}]: [${type}] and [${field}]`,
        );
      }
      if (!KNOWN_TYPES.has(field)) throw parsingException(`Unknown aggregation type [${field}]`);
      type = field;
      body = v;
    }
  }
  if (type === undefined || body === undefined) {
    throw parsingException(`Missing definition for aggregation [${name}]`);
  }
  return {
    [type]: renderBody(type, body),
    ...(meta !== undefined ? { meta } : {}),
    ...(sub !== undefined ? { aggregations: sub } : {}),
  };
};

const parseAggregationsAt = (value: JsonObject): JsonObject => {
  const out: JsonObject = {};
  for (const [name, definition] of Object.entries(value)) {
    if (/[[\]>]/.test(name)) {
      throw parsingException(
        `Invalid aggregation name [${name}]. Aggregation names can contain any character except '[', ']', and '>'`,
      );
    }
    out[name] = parseOne(name, definition);
  }
  return out;
};

/** The types of the top-level aggregations, in order (what the plugin's init checks). */
export const aggregationTypes = (aggs: JsonObject): string[] =>
  Object.values(aggs).map(
    (a) => Object.keys(a as JsonObject).find((k) => k !== 'meta' && k !== 'aggregations') as string,
  );

export const parseAggregations = (value: Json): JsonObject => {
  if (!isObject(value)) {
    throw parsingException(
      `Failed to parse object: expecting token of type [START_OBJECT] but found [${tokenOf(value)}]`,
    );
  }
  return parseAggregationsAt(value);
};

/** Transform's init: every top-level aggregation is of a supported type. */
export const checkSupportedAggregations = (aggs: JsonObject): void => {
  for (const type of aggregationTypes(aggs)) {
    if (!SUPPORTED.has(type)) throw illegalArgument(`Unsupported aggregation [${type}]`);
  }
};
