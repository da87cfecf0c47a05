import { settingsStep, type ActionDefinition } from '../step';

/** read_only: `set_read_only`, a write block (`index.blocks.write`, not `index.blocks.read_only`). */
export const readOnly: ActionDefinition<'read_only'> = {
  type: 'read_only',
  steps: () => [
    settingsStep(
      'set_read_only',
      () => ({ 'index.blocks.write': true }),
      (i) => `Successfully set index to read-only [index=${i}]`,
      (i) => `Failed to set index to read-only [index=${i}]`,
    ),
  ],
};
