import { illegalArgument } from '../../shared/errors';
import type { Dimension } from './model';
import { normalizeZoneId } from './timezone';
import { check, doubleValue, fields, required, text } from '../../shared/xcontent';

/**
 * Rollup/transform dimensions (common/model/dimension/*.kt): one of date_histogram, terms,
 * histogram per entry; target_field defaults to source_field.
 */

export interface DimensionOptions {
  /** Whether a date_histogram takes a `format` (the 2.19.6 plugin's DateHistogram does). */
  readonly format?: boolean;
  /** Render `format` even when absent, as `null` (DateHistogram.toXContent always writes it). */
  readonly renderFormat?: boolean;
}

const parseDateHistogram = (value: unknown, options: DimensionOptions): Dimension => {
  let source: string | null = null;
  let target: string | null = null;
  let fixed: string | undefined;
  let calendar: string | undefined;
  let timezone = 'UTC';
  let format: string | null | undefined;
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'fixed_interval':
        fixed = text(v);
        break;
      case 'calendar_interval':
        calendar = text(v);
        break;
      case 'timezone':
        timezone = normalizeZoneId(text(v));
        break;
      case 'source_field':
        source = text(v);
        break;
      case 'target_field':
        target = text(v);
        break;
      case 'format':
        if (!options.format) throw illegalArgument(`Invalid field [${field}] found in date histogram`);
        format = v === null ? null : text(v);
        break;
      default:
        throw illegalArgument(`Invalid field [${field}] found in date histogram`);
    }
  }
  const sourceField = required(source, 'Source field must not be null');
  const targetField = required(target ?? source, 'Target field must not be null');
  check(sourceField !== '' && targetField !== '', 'Source and target field must not be empty');
  check(fixed !== undefined || calendar !== undefined, 'Must specify a fixed or calendar interval');
  check(fixed === undefined || calendar === undefined, 'Can only specify a fixed or calendar interval');
  return {
    date_histogram: {
      ...(fixed !== undefined ? { fixed_interval: fixed } : { calendar_interval: calendar as string }),
      source_field: sourceField,
      target_field: targetField,
      timezone,
      ...(format !== undefined ? { format } : options.renderFormat ? { format: null } : {}),
    },
  };
};

const parseTerms = (value: unknown): Dimension => {
  let source: string | null = null;
  let target: string | null = null;
  for (const [field, v] of fields(value)) {
    if (field === 'source_field') source = text(v);
    else if (field === 'target_field') target = text(v);
    else throw illegalArgument(`Invalid field [${field}] found in terms`);
  }
  const sourceField = required(source, 'Source field must not be null');
  const targetField = required(target ?? source, 'Target field must not be null');
  check(sourceField !== '' && targetField !== '', 'Source and target field must not be empty');
  return { terms: { source_field: sourceField, target_field: targetField } };
};

const parseHistogram = (value: unknown): Dimension => {
  let source: string | null = null;
  let target: string | null = null;
  let interval: number | null = null;
  for (const [field, v] of fields(value)) {
    if (field === 'source_field') source = text(v);
    else if (field === 'target_field') target = text(v);
    else if (field === 'interval') interval = doubleValue(v);
    else throw illegalArgument(`Invalid field [${field}] found in histogram`);
  }
  const sourceField = required(source, 'Source field must not be null');
  const targetField = required(target ?? source, 'Target field must not be null');
  const i = required(interval, 'Interval must not be null');
  check(sourceField !== '' && targetField !== '', 'Source and target field must not be empty');
  check(i > 0, 'Interval must be a positive decimal');
  return { histogram: { source_field: sourceField, target_field: targetField, interval: i } };
};

export const parseDimensionWith = (value: unknown, options: DimensionOptions): Dimension => {
  let dimension: Dimension | undefined;
  for (const [field, v] of fields(value)) {
    if (field === 'date_histogram') dimension = parseDateHistogram(v, options);
    else if (field === 'terms') dimension = parseTerms(v);
    else if (field === 'histogram') dimension = parseHistogram(v);
    else throw illegalArgument(`Invalid dimension type [${field}] found in dimensions`);
  }
  return required(dimension, 'Dimension cannot be null');
};

/** Dimension.parse as the ISM rollup and transform actions read and render it. */
export const parseDimension = (value: unknown): Dimension =>
  parseDimensionWith(value, { format: true, renderFormat: true });
