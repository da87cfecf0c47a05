import { systemClock } from '../shared/clock';
import { clusterClient } from '../shared/cluster';
import { documentClient, tableName } from '../shared/dynamo';
import { clusterTransforms, type TransformCluster } from './cluster/transform-cluster';
import { TransformService } from './transform-service';

/** Wiring for the transform handlers and worker: built once per container, on first use. */
let service: TransformService | undefined;

export const transformCluster = async (): Promise<TransformCluster> =>
  clusterTransforms(await clusterClient());

export const transformService = (): TransformService => {
  if (!service) {
    const { jobs, runs, tombstones } = TransformService.stores(documentClient(), tableName());
    service = new TransformService(jobs, runs, tombstones, transformCluster, systemClock);
  }
  return service;
};
