import type { AllocationConfig } from '../../policy/model';
import { settingsStep, type ActionDefinition } from '../step';

/** allocation: `attempt_allocation`; `wait_for` is stored but unused, as in the plugin. */
export const allocation: ActionDefinition<'allocation'> = {
  type: 'allocation',
  steps: () => [
    settingsStep<AllocationConfig>(
      'attempt_allocation',
      (c) => {
        const settings: Record<string, string> = {};
        for (const kind of ['require', 'include', 'exclude'] as const) {
          for (const [k, v] of Object.entries(c[kind])) settings[`index.routing.allocation.${kind}.${k}`] = v;
        }
        return settings;
      },
      (i) => `Successfully updated allocation setting [index=${i}]`,
      (i) => `Failed to update allocation setting [index=${i}]`,
    ),
  ],
};
