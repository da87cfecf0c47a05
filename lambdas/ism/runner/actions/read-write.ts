import { settingsStep, type ActionDefinition } from '../step';

/** read_write: `set_read_write`, lifts the write block. */
export const readWrite: ActionDefinition<'read_write'> = {
  type: 'read_write',
  steps: () => [
    settingsStep(
      'set_read_write',
      () => ({ 'index.blocks.write': false }),
      (i) => `Successfully set index to read-write [index=${i}]`,
      (i) => `Failed to set index to read-write [index=${i}]`,
    ),
  ],
};
