import type { IndexPriorityConfig } from '../../policy/model';
import { settingsStep, type ActionDefinition } from '../step';

/** index_priority: `attempt_set_index_priority`. */
export const indexPriority: ActionDefinition<'index_priority'> = {
  type: 'index_priority',
  steps: () => [
    settingsStep<IndexPriorityConfig>(
      'attempt_set_index_priority',
      (c) => ({ 'index.priority': c.priority }),
      (i, c) => `Successfully set index priority to ${c.priority} [index=${i}]`,
      (i, c) => `Failed to set index priority to ${c.priority} [index=${i}]`,
    ),
  ],
};
