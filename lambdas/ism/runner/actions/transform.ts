import type { TransformConfig } from '../../policy/model';
import { ismTransforms } from '../../../transform';
import { completed, failed, waiting, type ActionDefinition, type Step, type StepResult } from '../step';

/**
 * transform: create the transform job (from `ism_transform`), then wait for it to finish
 * (AttemptCreateTransformJobStep, WaitForTransformCompletionStep). The job is one of this
 * control plane's transforms (lambdas/transform, through its entry point); its id is the
 * plugin's hash of the index and the transform, recorded before the job is created so that a
 * resumed step finds the job it made and leaves it be.
 */
const PROPERTIES = 'transform_action_properties';

const recordedId = (properties: Record<string, unknown>): string | undefined => {
  const id = (properties[PROPERTIES] as { transform_id?: unknown } | undefined)?.transform_id;
  return typeof id === 'string' ? id : undefined;
};

const withId = (result: StepResult, id: string | null): StepResult => ({
  ...result,
  properties: { [PROPERTIES]: id === null ? {} : { transform_id: id } },
});

const createTransform: Step<TransformConfig> = {
  name: 'attempt_create_transform',
  intent: ({ index, config }) => ({
    [PROPERTIES]: { transform_id: ismTransforms.id(index.name, config.ism_transform) },
  }),
  async execute({ index, config, properties, resumed }) {
    const i = index.name;
    // Only a step that ran before (and died) had recorded the job: a new run of the action restarts it.
    const recorded = resumed && recordedId(properties) !== undefined;
    const out = await ismTransforms.start(i, config.ism_transform, recorded);
    const id = out.transformId;
    switch (out.outcome) {
      case 'created':
        return withId(completed(`Successfully created the transform job [${id}] [index=${i}]`), id);
      case 'restarted':
        return withId(completed(`Successfully restarted the transform job [${id}] [index=${i}]`), id);
      case 'exists':
        return withId(
          {
            status: 'completed',
            info: { info: `Transform job [${id}] already exists, skipping creation [index=${i}]` },
          },
          id,
        );
      case 'restart_failed':
        return withId(
          { status: 'failed', info: { message: `Failed to start the transform job [${id}] [index=${i}]` } },
          id,
        );
      default:
        return withId(failed(`Failed to create the transform job [${id}] [index=${i}]`, out.cause), null);
    }
  },
};

const waitForTransform: Step<TransformConfig> = {
  name: 'wait_for_transform_completion',
  async execute({ index, properties }) {
    const i = index.name;
    const id = recordedId(properties);
    if (id === undefined) return failed(`Transform job was not found [index=${i}]`);
    let progress;
    try {
      progress = await ismTransforms.progress(id);
    } catch (e) {
      return failed(`Failed to get the status of transform job [${id}] [index=${i}]`, e);
    }
    if (!progress.exists) return completed(`Transform job [${id}] is not found [index=${i}]`);
    switch (progress.status) {
      case 'finished':
        return completed(`Transform job [${id}] completed [index=${i}]`);
      case 'failed':
        return failed(`Transform job [${id}] failed [index=${i}]`, String(progress.failureReason));
      case 'stopped':
        return failed(`Transform job [${id}] failed [index=${i}]`, 'Transform job was stopped');
      default:
        return waiting(`Transform job [${id}] is still processing [index=${i}]`);
    }
  },
};

export const transform: ActionDefinition<'transform'> = {
  type: 'transform',
  steps: () => [createTransform, waitForTransform],
};
