import { illegalArgument } from '../../../shared/errors';
import { parseDimension } from '../dimensions';
import type {
  Dimension,
  EmptyConfig,
  ISMRollup,
  RollupConfig,
  RollupMetric,
  RollupMetricType,
} from '../model';
import {
  check,
  expectArray,
  fields,
  intValue,
  invalidField,
  required,
  text,
  unexpectedToken,
} from '../../../shared/xcontent';

/**
 * RollupActionParser.kt over ISMRollup.kt (the 2.19 sub-schema: description, target_index,
 * page_size 1..10000, dimensions with exactly one date_histogram and it first, metrics).
 * `source_index` and `target_index_settings` are 3.x and rejected, as in 2.19.
 */

const METRIC_TYPES: readonly RollupMetricType[] = ['avg', 'sum', 'max', 'min', 'value_count'];

const parseMetric = (value: unknown): RollupMetricType => {
  let type: RollupMetricType | undefined;
  for (const [field, v] of fields(value)) {
    if (!METRIC_TYPES.includes(field as RollupMetricType)) {
      throw illegalArgument(`Invalid metric type [${field}] found in metrics`);
    }
    const [first] = fields(v);
    if (first) throw unexpectedToken('END_OBJECT', 'FIELD_NAME', { name: first[0], in: v as object });
    type = field as RollupMetricType;
  }
  return required(type, 'Metric is null');
};

/** RollupMetrics.parse: shared with the rollup job API (lambdas/rollup/job/parse.ts). */
export const parseRollupMetrics = (value: unknown): RollupMetric => {
  let source: string | null = null;
  let target: string | null = null;
  let metrics: RollupMetricType[] = [];
  for (const [field, v] of fields(value)) {
    if (field === 'source_field') source = text(v);
    else if (field === 'target_field') target = text(v);
    else if (field === 'metrics') metrics = [...metrics, ...expectArray(v).map(parseMetric)];
    else throw illegalArgument(`Invalid dimension type [${field}] found in rollup metrics`);
  }
  const sourceField = required(source, 'Source field must not be null');
  const targetField = required(target ?? source, 'Target field must not be null');
  check(
    new Set(metrics).size === metrics.length,
    `Cannot have multiple metrics of the same type in a single rollup metric [${metrics.join(', ')}]`,
  );
  check(sourceField !== '' && targetField !== '', 'Source and target field must not be empty');
  check(metrics.length > 0, `Must specify at least one metric to aggregate on for ${sourceField}`);
  // RollupMetrics.toXContent writes source_field and metrics only.
  return { source_field: sourceField, metrics: metrics.map((m) => ({ [m]: {} as EmptyConfig })) };
};

const parseIsmRollup = (value: unknown): ISMRollup => {
  let description = '';
  let targetIndex = '';
  let pageSize = 0;
  let dimensions: Dimension[] = [];
  let metrics: RollupMetric[] = [];
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
      case 'dimensions':
        dimensions = [...dimensions, ...expectArray(v).map(parseDimension)];
        break;
      case 'metrics':
        metrics = [...metrics, ...expectArray(v).map(parseRollupMetrics)];
        break;
      default:
        throw illegalArgument(`Invalid field, [${field}] not supported in ISM Rollup.`);
    }
  }
  check(pageSize >= 1 && pageSize <= 10000, 'Page size must be between 1 and 10000');
  check(description !== '', 'Description cannot be empty');
  check(targetIndex !== '', 'Target Index cannot be empty');
  check(
    dimensions.filter((d) => 'date_histogram' in d).length === 1,
    'Must specify precisely one date histogram dimension',
  );
  check('date_histogram' in dimensions[0], 'The first dimension must be a date histogram');
  return { description, target_index: targetIndex, page_size: pageSize, dimensions, metrics };
};

export const parseRollup = (value: unknown): RollupConfig => {
  let rollup: ISMRollup | undefined;
  for (const [field, v] of fields(value)) {
    if (field !== 'ism_rollup') throw invalidField(field, 'RollupAction');
    rollup = parseIsmRollup(v);
  }
  return { ism_rollup: required(rollup, 'RollupAction rollup is null') };
};
