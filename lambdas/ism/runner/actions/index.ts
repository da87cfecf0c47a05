import type { ActionType } from '../../policy/model';
import type { ActionDefinition } from '../step';
import { alias } from './alias';
import { allocation } from './allocation';
import { close } from './close';
import { deleteAction } from './delete';
import { forceMerge } from './force-merge';
import { indexPriority } from './index-priority';
import { notification } from './notification';
import { open } from './open';
import { readOnly } from './read-only';
import { readWrite } from './read-write';
import { replicaCount } from './replica-count';
import { rollover } from './rollover';
import { rollup } from './rollup';
import { shrink } from './shrink';
import { snapshot } from './snapshot';
import { transform } from './transform';
import { unsupported } from './unsupported';

/** Every action the runner can run: adding an action = one module + one line here. */
export const ACTIONS: { [K in ActionType]: ActionDefinition<K> } = {
  rollover,
  delete: deleteAction,
  read_only: readOnly,
  read_write: readWrite,
  replica_count: replicaCount,
  close,
  open,
  index_priority: indexPriority,
  allocation,
  alias,
  force_merge: forceMerge,
  snapshot,
  notification,
  rollup,
  shrink,
  transform,
  convert_index_to_remote: unsupported(
    'convert_index_to_remote',
    'needs remote-store snapshots (OpenSearch 3.x)',
  ),
  stop_replication: unsupported('stop_replication', 'needs the cross-cluster-replication plugin'),
  search_only: unsupported('search_only', 'needs the _scale API (OpenSearch 3.x)'),
};
