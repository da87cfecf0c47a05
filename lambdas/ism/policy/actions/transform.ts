import { illegalArgument } from '../../../shared/errors';
import { parseDimension } from '../dimensions';
import type { Dimension, ISMTransform, TransformConfig } from '../model';
import {
  type JsonObject,
  check,
  expectArray,
  fields,
  intValue,
  invalidField,
  isObject,
  mapOrdered,
  required,
  text,
} from '../../../shared/xcontent';

/**
 * TransformActionParser.kt over ISMTransform.kt. The query and aggregations are kept as sent:
 * OpenSearch re-renders them through its query/aggregation builders (adding defaults such as
 * `boost`), which is beyond this parser; only the aggregation types are checked.
 */

const SUPPORTED_AGGREGATIONS = new Set([
  'sum',
  'max',
  'min',
  'value_count',
  'avg',
  'scripted_metric',
  'percentiles',
]);
const DEFAULT_QUERY: JsonObject = { match_all: { boost: 1.0 } };

const checkAggregations = (aggs: JsonObject): void => {
  for (const [name, body] of Object.entries(aggs)) {
    if (!isObject(body))
      throw illegalArgument(
        `Expected [START_OBJECT] under [${name}], but got a [${typeof body}] in [${name}]`,
      );
    const type = Object.keys(body).find((k) => k !== 'aggs' && k !== 'aggregations' && k !== 'meta');
    if (type === undefined) throw illegalArgument(`Missing definition for aggregation [${name}]`);
    check(SUPPORTED_AGGREGATIONS.has(type), `Unsupported aggregation [${type}]`);
  }
};

const parseIsmTransform = (value: unknown): ISMTransform => {
  let description = '';
  let targetIndex = '';
  let pageSize = 0;
  let query: JsonObject = DEFAULT_QUERY;
  let groups: Dimension[] = [];
  let aggregations: JsonObject = {};
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'description':
        description = text(v);
        break;
      case 'target_index':
        targetIndex = text(v);
        break;
      case 'page_size':
        pageSize = intValue(v);
        break;
      case 'data_selection_query':
        query = mapOrdered(v);
        break;
      case 'groups':
        groups = [...groups, ...expectArray(v).map(parseDimension)];
        break;
      case 'aggregations':
        aggregations = mapOrdered(v);
        break;
      default:
        throw illegalArgument(`Invalid field [${field}] found in ISM Transform.`);
    }
  }
  check(pageSize >= 1 && pageSize <= 10000, 'Page size must be between 1 and 10000');
  check(description !== '', 'Description cannot be empty');
  check(targetIndex !== '', 'TargetIndex cannot be empty');
  check(groups.length > 0, 'Groups cannot be empty');
  checkAggregations(aggregations);
  return {
    description,
    target_index: targetIndex,
    page_size: pageSize,
    data_selection_query: query,
    groups,
    aggregations,
  };
};

export const parseTransform = (value: unknown): TransformConfig => {
  let transform: ISMTransform | undefined;
  for (const [field, v] of fields(value)) {
    if (field !== 'ism_transform') throw invalidField(field, 'TransformAction');
    transform = parseIsmTransform(v);
  }
  return { ism_transform: required(transform, 'TransformAction transform is null.') };
};
