import { DateTime } from 'luxon';
import Mustache from 'mustache';
import { errorMessage, isClusterError, seg, type ClusterApi } from '../../cluster-api';
import type { SnapshotConfig } from '../../policy/model';
import { completed, failed, waiting, type ActionDefinition, type Step } from '../step';

/**
 * snapshot: `attempt_snapshot`, `wait_for_snapshot`. The snapshot name (template + timestamp) is
 * chosen and recorded before the snapshot is started; a run resuming after a crash finds the
 * snapshot by that name instead of taking a second one.
 */
const snapshotExists = async (
  cluster: ClusterApi,
  repo: string,
  name: string,
  index?: string,
): Promise<string | undefined> => {
  try {
    const out = await cluster.request<{ snapshots?: { state?: string; indices?: string[] }[] }>(
      'GET',
      `/_snapshot/${seg(repo)}/${seg(name)}`,
    );
    const snap = out.snapshots?.[0];
    // A snapshot of that name but of another index is not ours (two indices, same millisecond).
    if (snap && index !== undefined && !(snap.indices ?? []).includes(index)) return undefined;
    return snap?.state;
  } catch (e) {
    if (isClusterError(e, 404)) return undefined;
    throw e;
  }
};

const attemptSnapshot: Step<SnapshotConfig> = {
  name: 'attempt_snapshot',
  intent({ config, index, now, properties }) {
    if (typeof properties.snapshot_name === 'string') return { snapshot_name: properties.snapshot_name };
    const rendered =
      config.snapshot.trim() === '' ? '' : Mustache.render(config.snapshot, { ctx: { index: index.name } });
    const prefix = config.snapshot.trim() !== '' && rendered.trim() === '' ? index.name : rendered;
    const stamp = DateTime.fromMillis(now, { zone: 'utc' }).toFormat('yyyy.MM.dd-HH:mm:ss.SSS');
    return { snapshot_name: `${prefix}-${stamp}` };
  },
  async execute({ cluster, config, index, properties, resumed }) {
    const i = index.name;
    const name = String(properties.snapshot_name);
    const done = {
      ...completed(`Successfully started snapshot [index=${i}]`),
      properties: { snapshot_name: name },
    };
    try {
      if (resumed && (await snapshotExists(cluster, config.repository, name, i)) !== undefined) return done;
      await cluster.request('PUT', `/_snapshot/${seg(config.repository)}/${seg(name)}`, {
        query: { wait_for_completion: false },
        body: {
          indices: i,
          include_global_state: false,
          metadata: { snapshot_created: 'Open Distro for Elasticsearch Index Management' },
        },
      });
      return done;
    } catch (e) {
      if (isClusterError(e) && e.type === 'concurrent_snapshot_execution_exception') {
        return waiting(`Concurrent snapshot in progress, retrying next execution [index=${i}]`);
      }
      if (
        isClusterError(e) &&
        e.type === 'invalid_snapshot_name_exception' &&
        /already exists/.test(e.reason)
      ) {
        return done;
      }
      return failed(`Failed to create snapshot [index=${i}]`, errorMessage(e));
    }
  },
};

const waitForSnapshot: Step<SnapshotConfig> = {
  name: 'wait_for_snapshot',
  async execute({ cluster, config, index, properties }) {
    const i = index.name;
    const name = properties.snapshot_name;
    if (typeof name !== 'string') {
      return failed(
        `Unable to retrieve [snapshot_name] from ActionProperties=${JSON.stringify(properties)} [index=${i}]`,
      );
    }
    try {
      const state = await snapshotExists(cluster, config.repository, name);
      if (state === 'IN_PROGRESS' || state === 'STARTED' || state === 'INIT') {
        return waiting(`Snapshot currently in progress [index=${i}]`, { state });
      }
      if (state === 'SUCCESS') return completed(`Successfully created snapshot [index=${i}]`, { state });
      return failed(`Snapshot doesn't exist [index=${i}]`, undefined, state ? { state } : {});
    } catch (e) {
      return failed(`Failed to get status of snapshot [index=${i}]`, errorMessage(e));
    }
  },
};

export const snapshot: ActionDefinition<'snapshot'> = {
  type: 'snapshot',
  steps: () => [attemptSnapshot, waitForSnapshot],
};
