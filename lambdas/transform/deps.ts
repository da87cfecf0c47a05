import { systemClock } from '../shared/clock';
import { documentClient, tableName } from '../shared/dynamo';
import type { TransformCluster } from './cluster/transform-cluster';
import { TransformService } from './transform-service';

/**
 * Wiring for the transform handlers that keep to the table (GET, list, HEAD, DELETE, _start,
 * _stop): built once per container, on first use, without the cluster client, so that their
 * bundles do not carry it. The handlers that talk to the cluster use cluster-deps.ts.
 */
let service: TransformService | undefined;

const noCluster = (): Promise<TransformCluster> =>
  Promise.reject(new Error('this transform handler does not talk to the cluster'));

export const buildTransformService = (cluster: () => Promise<TransformCluster>): TransformService => {
  const { jobs, runs, tombstones } = TransformService.stores(documentClient(), tableName());
  return new TransformService(jobs, runs, tombstones, cluster, systemClock);
};

export const transformService = (): TransformService => (service ??= buildTransformService(noCluster));
