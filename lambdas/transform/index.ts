import type { ISMTransform } from '../ism/policy/model';
import { systemClock } from '../shared/clock';
import { clusterTransformService as transformService } from './cluster-deps';
import {
  ismTransformJobId,
  ismTransformProgress,
  startIsmTransform,
  type IsmTransformProgress,
  type IsmTransformStart,
} from './ism-transform';

/**
 * The transform namespace's entry point for other namespaces (ISM's `transform` action): the
 * jobs of this control plane, wired to this container's table and cluster.
 *
 *   const started = await ismTransforms.start('logs-000001', action.ism_transform, false);
 *   // { outcome: 'created', transformId: '5b1c…' }
 *   const progress = await ismTransforms.progress(started.transformId);
 *   // { exists: true, status: 'finished', failureReason: null }
 */
export interface IsmTransforms {
  /** The job id the action uses for this index (the plugin's hash of the index and the transform). */
  id(index: string, transform: ISMTransform): string;
  /**
   * Creates the job; when it exists, `recorded` (the step had recorded the job before) leaves it
   * be, otherwise it is started again.
   */
  start(index: string, transform: ISMTransform, recorded: boolean): Promise<IsmTransformStart>;
  progress(transformId: string): Promise<IsmTransformProgress>;
}

export const ismTransforms: IsmTransforms = {
  id: ismTransformJobId,
  start: (index, transform, recorded) =>
    startIsmTransform(transformService(), index, transform, systemClock.now(), recorded),
  progress: (id) => ismTransformProgress(transformService(), id),
};

export type { IsmTransformProgress, IsmTransformStart };
