import type {
  AllocationConfig,
  ConvertIndexToRemoteConfig,
  EmptyConfig,
  ForceMergeConfig,
  IndexPriorityConfig,
  ReplicaCountConfig,
  SnapshotConfig,
} from '../model';
import {
  booleanValue,
  check,
  expectObject,
  fields,
  intValue,
  invalidField,
  required,
  text,
  unexpectedToken,
} from '../../../shared/xcontent';

/**
 * Actions whose configuration is a handful of scalars (one *ActionParser.kt each in the plugin).
 * The `Invalid field ... found in X.` names are the plugin's, including its older *Config names.
 */

/** delete, read_only, read_write, open, close, stop_replication, search_only: `{}` and nothing else. */
export const parseEmpty = (value: unknown): EmptyConfig => {
  const obj = expectObject(value);
  const [first] = Object.keys(obj);
  if (first !== undefined) throw unexpectedToken('END_OBJECT', 'FIELD_NAME', { name: first, in: obj });
  return {};
};

/**
 * The plugin's Kotlin template interpolates the action's companion object here, identity hash and
 * all; the 2.19.6 plugin's text, which two recordings showed the same, is kept word for word.
 */
const MISSING_REPLICAS =
  'org.opensearch.indexmanagement.indexstatemanagement.action.ReplicaCountAction$Companion@549a8a9c.NUMBER_OF_REPLICAS_FIELD is null';

export const parseReplicaCount = (value: unknown): ReplicaCountConfig => {
  let replicas: number | null = null;
  for (const [field, v] of fields(value)) {
    if (field !== 'number_of_replicas') throw invalidField(field, 'ReplicaCountActionConfig');
    replicas = intValue(v);
  }
  const n = required(replicas, MISSING_REPLICAS);
  check(n >= 0, 'ReplicaCountAction number_of_replicas value must be a non-negative number');
  return { number_of_replicas: n };
};

export const parseIndexPriority = (value: unknown): IndexPriorityConfig => {
  let priority: number | null = null;
  for (const [field, v] of fields(value)) {
    if (field !== 'priority') throw invalidField(field, 'IndexPriorityActionConfig');
    priority = intValue(v);
  }
  const p = required(priority, 'priority is null');
  check(p >= 0, 'IndexPriorityAction index_priority value must be a non-negative number');
  return { priority: p };
};

export const parseForceMerge = (value: unknown): ForceMergeConfig => {
  let segments: number | null = null;
  for (const [field, v] of fields(value)) {
    if (field !== 'max_num_segments') throw invalidField(field, 'ForceMergeActionConfig');
    segments = intValue(v);
  }
  const n = required(segments, 'ForceMergeActionConfig maxNumSegments is null');
  check(n > 0, 'Force merge {max_num_segments} must be greater than 0');
  return { max_num_segments: n };
};

/** `include_global_state` (in the API spec) is rejected by the plugin, and so here. */
export const parseSnapshot = (value: unknown): SnapshotConfig => {
  let repository: string | null = null;
  let snapshot: string | null = null;
  for (const [field, v] of fields(value)) {
    if (field === 'repository') repository = text(v);
    else if (field === 'snapshot') snapshot = text(v);
    else throw invalidField(field, 'SnapshotAction');
  }
  return {
    repository: required(repository, 'SnapshotAction repository must be specified'),
    snapshot: required(snapshot, 'SnapshotAction snapshot must be specified'),
  };
};

const parseSettingsMap = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of fields(value)) out[k] = text(v);
  return out;
};

/** All four keys are always rendered; `wait_for` is stored but unused by the plugin. */
export const parseAllocation = (value: unknown): AllocationConfig => {
  const config: AllocationConfig = { require: {}, include: {}, exclude: {}, wait_for: false };
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'require':
      case 'include':
      case 'exclude':
        config[field] = { ...config[field], ...parseSettingsMap(v) };
        break;
      case 'wait_for':
        config.wait_for = booleanValue(v);
        break;
      default:
        throw invalidField(field, 'AllocationAction');
    }
  }
  check(
    [config.require, config.include, config.exclude].some((m) => Object.keys(m).length > 0),
    'At least one allocation parameter need to be specified.',
  );
  return config;
};

const DEFAULT_RENAME_PATTERN = '$1_remote';

/**
 * Newer than 2.19 (3.x). repository and snapshot are required; the restore options came in later
 * 3.x releases. Optional fields are rendered only when they differ from their defaults.
 */
export const parseConvertIndexToRemote = (value: unknown): ConvertIndexToRemoteConfig => {
  let repository: string | null = null;
  let snapshot: string | null = null;
  const optional: Omit<ConvertIndexToRemoteConfig, 'repository' | 'snapshot'> = {};
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'repository':
        repository = text(v);
        break;
      case 'snapshot':
        snapshot = text(v);
        break;
      case 'include_aliases':
      case 'delete_original_index':
        optional[field] = booleanValue(v);
        break;
      case 'ignore_index_settings':
      case 'rename_pattern':
        optional[field] = text(v);
        break;
      case 'number_of_replicas': {
        const n = intValue(v);
        // Negative means "leave the snapshot's replica count", as unset.
        if (n >= 0) optional.number_of_replicas = n;
        else delete optional.number_of_replicas;
        break;
      }
      default:
        throw invalidField(field, 'ConvertIndexToRemoteAction');
    }
  }
  const config: ConvertIndexToRemoteConfig = {
    repository: required(repository, 'ConvertIndexToRemoteAction repository must be specified'),
    snapshot: required(snapshot, 'ConvertIndexToRemoteAction snapshot must be specified'),
  };
  if (optional.rename_pattern !== undefined) {
    check(
      optional.rename_pattern.includes('$1'),
      'ConvertIndexToRemoteAction rename_pattern must contain $1',
    );
  }
  if (optional.include_aliases) config.include_aliases = true;
  if (optional.ignore_index_settings) config.ignore_index_settings = optional.ignore_index_settings;
  if (optional.number_of_replicas !== undefined) config.number_of_replicas = optional.number_of_replicas;
  if (optional.delete_original_index) config.delete_original_index = true;
  if (optional.rename_pattern !== undefined && optional.rename_pattern !== DEFAULT_RENAME_PATTERN) {
    config.rename_pattern = optional.rename_pattern;
  }
  return config;
};
