import type { ActionType } from '../../policy/model';
import { failed, type ActionDefinition } from '../step';

/**
 * Actions that need a cluster feature this control plane does not provide (yet): they fail with
 * a message that says so, rather than doing nothing.
 */
export const unsupported = <K extends ActionType>(type: K, why: string): ActionDefinition<K> => ({
  type,
  steps: () => [
    {
      name: `attempt_${type}`,
      async execute({ index }) {
        return failed(`Action [${type}] is not supported on this cluster [index=${index.name}]`, why);
      },
    },
  ],
});
