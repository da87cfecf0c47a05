import { clusterClient } from '../shared/cluster';
import { clusterTransforms, type TransformCluster } from './cluster/transform-cluster';
import { buildTransformService } from './deps';
import type { TransformService } from './transform-service';

/** Wiring for what talks to the cluster (PUT, _explain, _preview, the worker, ISM's action). */
let service: TransformService | undefined;

export const transformCluster = async (): Promise<TransformCluster> =>
  clusterTransforms(await clusterClient());

export const clusterTransformService = (): TransformService =>
  (service ??= buildTransformService(transformCluster));
