import type { SortableType } from '../../shared/config-search';
import type { FieldMapping } from '../../shared/query-string';

/**
 * The `sm_policy` fields of the `.opendistro-ism-config` mapping (2.19.6), by full name, as the
 * list API's sort and query_string see them (`snapshot_config` is not indexed: it has none).
 */
const cron = (prefix: string): Record<string, SortableType> => ({
  [`${prefix}.schedule.cron.expression`]: 'keyword',
  [`${prefix}.schedule.cron.timezone`]: 'keyword',
  [`${prefix}.schedule.cron.schedule_delay`]: 'number',
  [`${prefix}.time_limit`]: 'keyword',
});

const withKeyword = (name: string): Record<string, SortableType> => ({
  [name]: 'text',
  [`${name}.keyword`]: 'keyword',
});

export const SM_POLICY_FIELDS: Readonly<Record<string, SortableType>> = {
  'sm_policy.name': 'keyword',
  'sm_policy.description': 'text',
  'sm_policy.schema_version': 'number',
  ...cron('sm_policy.creation'),
  ...cron('sm_policy.deletion'),
  'sm_policy.deletion.condition.max_count': 'number',
  'sm_policy.deletion.condition.max_age': 'keyword',
  'sm_policy.deletion.condition.min_count': 'number',
  'sm_policy.enabled': 'boolean',
  'sm_policy.enabled_time': 'date',
  'sm_policy.last_updated_time': 'date',
  'sm_policy.schedule.interval.period': 'number',
  'sm_policy.schedule.interval.unit': 'keyword',
  'sm_policy.schedule.interval.start_time': 'date',
  'sm_policy.schedule.interval.schedule_delay': 'number',
  'sm_policy.notification.channel.id': 'keyword',
  'sm_policy.notification.conditions.creation': 'boolean',
  'sm_policy.notification.conditions.deletion': 'boolean',
  'sm_policy.notification.conditions.failure': 'boolean',
  'sm_policy.notification.conditions.time_limit_exceeded': 'boolean',
  ...withKeyword('sm_policy.user.name'),
  ...withKeyword('sm_policy.user.backend_roles'),
  ...withKeyword('sm_policy.user.roles'),
  ...withKeyword('sm_policy.user.custom_attribute_names'),
};

/** The same fields as the query_string reads them (a boolean matches its `true`/`false` term). */
export const smPolicyQueryField = (name: string): FieldMapping | undefined => {
  const type = SM_POLICY_FIELDS[name];
  switch (type) {
    case undefined:
      return undefined;
    case 'number':
      return { type: 'long' };
    case 'boolean':
      return { type: 'keyword' };
    default:
      return { type };
  }
};
