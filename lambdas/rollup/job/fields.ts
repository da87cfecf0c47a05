import type { SortableType } from '../../shared/config-search';

/**
 * The `rollup` fields of the `.opendistro-ism-config` mapping (2.19.6), by full name, as the
 * list API's sort sees them.
 */
const withKeyword = (name: string): Record<string, SortableType> => ({
  [name]: 'text',
  [`${name}.keyword`]: 'keyword',
});

export const ROLLUP_FIELDS: Readonly<Record<string, SortableType>> = {
  ...withKeyword('rollup.rollup_id'),
  'rollup.enabled': 'boolean',
  'rollup.enabled_time': 'date',
  'rollup.last_updated_time': 'date',
  'rollup.schema_version': 'number',
  'rollup.schedule.interval.period': 'number',
  'rollup.schedule.interval.unit': 'keyword',
  'rollup.schedule.interval.start_time': 'date',
  'rollup.schedule.interval.schedule_delay': 'number',
  'rollup.schedule.cron.expression': 'keyword',
  'rollup.schedule.cron.timezone': 'keyword',
  'rollup.schedule.cron.schedule_delay': 'number',
  'rollup.description': 'text',
  ...withKeyword('rollup.source_index'),
  ...withKeyword('rollup.target_index'),
  'rollup.page_size': 'number',
  'rollup.metadata_id': 'keyword',
  'rollup.delay': 'number',
  'rollup.continuous': 'boolean',
  ...withKeyword('rollup.roles'),
  'rollup.dimensions.date_histogram.source_field': 'keyword',
  'rollup.dimensions.date_histogram.target_field': 'keyword',
  'rollup.dimensions.date_histogram.fixed_interval': 'keyword',
  'rollup.dimensions.date_histogram.calendar_interval': 'keyword',
  'rollup.dimensions.date_histogram.timezone': 'keyword',
  'rollup.dimensions.terms.source_field': 'keyword',
  'rollup.dimensions.terms.target_field': 'keyword',
  'rollup.dimensions.histogram.source_field': 'keyword',
  'rollup.dimensions.histogram.target_field': 'keyword',
  'rollup.dimensions.histogram.interval': 'number',
  'rollup.metrics.source_field': 'nested',
  'rollup.metrics.target_field': 'nested',
  ...withKeyword('rollup.user.name'),
  ...withKeyword('rollup.user.backend_roles'),
  ...withKeyword('rollup.user.roles'),
  ...withKeyword('rollup.user.custom_attribute_names'),
};
