import { seg, type ClusterApi } from '../cluster-api';
import { findRolloverAlias } from '../runner/actions/rollover';
import type { IndexInfo } from './cluster-indices';
import { parentDataStream } from './data-stream';
import type { ManagedIndex } from './model';

/**
 * explain's `validate_action=true` (the plugin's `validation/` package, ActionValidation.kt): the
 * current action of a managed index is checked against the cluster as it is now, and explain
 * shows `validate: {validation_message, validation_status}` with status `passed`,
 * `re_validating` (not runnable yet; the runner would try again) or `failed`.
 *
 * Actions without a validator pass with the plugin's initial message, "Starting Validation".
 * The plugin's JVM-heap circuit breaker (force_merge, replica_count, read_only) reads a transform
 * setting a plugin-free cluster lacks, so it never trips here. Its read_only_allow_delete checks
 * read a node setting that is never set; here they read the index's
 * `index.blocks.read_only_allow_delete`, which is what their messages describe.
 */
export type ValidationStatus = 'passed' | 're_validating' | 'failed';

export interface ValidationResult {
  validation_message: string;
  validation_status: ValidationStatus;
}

const result = (validation_status: ValidationStatus, validation_message: string): ValidationResult => ({
  validation_message,
  validation_status,
});

const SKIP_SETTINGS = [
  'index.plugins.index_state_management.rollover_skip',
  'index.opendistro.index_state_management.rollover_skip',
];
const READ_ONLY_ALLOW_DELETE = 'index.blocks.read_only_allow_delete';

type AliasView = Record<string, { aliases?: Record<string, { is_write_index?: boolean }> }>;

const aliasIndices = async (cluster: ClusterApi, alias: string): Promise<AliasView> => {
  try {
    return await cluster.request<AliasView>('GET', `/_alias/${seg(alias)}`);
  } catch {
    return {};
  }
};

const validateRollover = async (cluster: ClusterApi, index: IndexInfo): Promise<ValidationResult> => {
  const i = index.name;
  const stream = await parentDataStream(cluster, i);
  const target = stream?.name ?? (await findRolloverAlias(cluster, index));
  if (!target) return result('re_validating', `Missing rollover_alias index setting [index=${i}]`);
  if (SKIP_SETTINGS.some((k) => index.settings[k] === 'true')) {
    return result('passed', `Skipped rollover action for [index=${i}]`);
  }
  if (index.rolloverInfo[target] !== undefined) {
    return result(
      'passed',
      `This index has already been rolled over using this alias, treating as a success [index=${i}, alias=${target}]`,
    );
  }
  if (!stream) {
    if (!index.aliases.includes(target))
      return result('re_validating', `Missing alias when rollover [index=${i}]`);
    const indices = await aliasIndices(cluster, target);
    const mine = indices[i]?.aliases?.[target];
    if (mine?.is_write_index !== true && Object.keys(indices).length > 1) {
      return result('re_validating', `Not the write index when rollover [index=${i}]`);
    }
  }
  return result('passed', `Rollover validation passed for [index=${i}]`);
};

const validateDelete = async (cluster: ClusterApi, index: IndexInfo): Promise<ValidationResult> => {
  const i = index.name;
  const stream = await parentDataStream(cluster, i);
  const writeOf = stream
    ? stream.isWriteIndex
      ? stream.name
      : undefined
    : await writeAliasOf(cluster, index);
  if (writeOf !== undefined) {
    return result(
      're_validating',
      `Index [index=${i}] is the write index for data stream and cannot be deleted`,
    );
  }
  return result('passed', `Delete validation passed for [index=${i}]`);
};

/** The rollover alias whose write index this index is, if any. */
const writeAliasOf = async (cluster: ClusterApi, index: IndexInfo): Promise<string | undefined> => {
  const alias = await findRolloverAlias(cluster, index);
  if (!alias) return undefined;
  const indices = await aliasIndices(cluster, alias);
  return indices[index.name]?.aliases?.[alias]?.is_write_index === true ? alias : undefined;
};

const blocked = (index: IndexInfo): boolean => index.settings[READ_ONLY_ALLOW_DELETE] === 'true';
const blockMessage = (i: string) => `read_only_allow_delete block is not null for index [index=${i}]`;

type Validator = (cluster: ClusterApi, index: IndexInfo) => Promise<ValidationResult> | ValidationResult;

const VALIDATORS: Record<string, Validator> = {
  rollover: validateRollover,
  delete: validateDelete,
  force_merge: (_, { name }) => result('passed', `Force merge validation passed for [index=${name}]`),
  replica_count: (_, { name }) => result('passed', `Replica Count validation passed for [index=${name}]`),
  open: (_, index) =>
    blocked(index)
      ? result('re_validating', blockMessage(index.name))
      : result('passed', `Open action validation passed for [index=${index.name}]`),
  read_only: (_, index) =>
    blocked(index)
      ? result('re_validating', blockMessage(index.name))
      : result('passed', `validate_read_only action validation passed for [index=${index.name}]`),
  read_write: (_, index) =>
    blocked(index)
      ? result('re_validating', blockMessage(index.name))
      : result('passed', `read_write validation passed for [index=${index.name}]`),
  index_priority: (_, index) =>
    blocked(index)
      ? result('failed', blockMessage(index.name))
      : result('passed', `Index Priority action validation passed for [index=${index.name}]`),
  close: (_, { name }) => result('passed', `Close action validation passed for [index=${name}]`),
  snapshot: (_, { name }) => result('passed', `Snapshot action validation passed for [index=${name}]`),
  transition: (_, { name }) => result('passed', `Transition action validation passed for [index=${name}]`),
};

/** What the plugin answers when the index is gone, per action (others re-validate or pass). */
const MISSING: Record<string, (i: string) => ValidationResult> = {
  delete: (i) => result('re_validating', `no such index [index=${i}]`),
  close: (i) => result('failed', `No such index [index=${i}] for close action.`),
  snapshot: (i) => result('failed', `Index [index=${i}] does not exist for snapshot action.`),
  transition: (i) => result('re_validating', `Index [index=${i}] does not exist for transition`),
};

const NOTHING = result('passed', 'Starting Validation');

/** Validates the managed index's current action against `index` (undefined: the index is gone). */
export const validateAction = async (
  cluster: ClusterApi,
  managed: ManagedIndex,
  index: IndexInfo | undefined,
): Promise<ValidationResult> => {
  const action = managed.metadata?.action?.name ?? '';
  if (!index) return MISSING[action]?.(managed.index) ?? NOTHING;
  const validator = VALIDATORS[action];
  return validator ? validator(cluster, index) : NOTHING;
};
