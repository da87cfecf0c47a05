import { errorMessage } from '../../cluster-api';
import type { AliasConfig } from '../../policy/model';
import { completed, failed, type ActionDefinition } from '../step';

/** alias: `attempt_alias`, one `_aliases` call with every action bound to the managed index. */
export const alias: ActionDefinition<'alias'> = {
  type: 'alias',
  steps: () => [
    {
      name: 'attempt_alias',
      async execute({ cluster, index, config }) {
        const actions = (config as AliasConfig).actions.map((a) =>
          'add' in a
            ? { add: { ...a.add, index: index.name } }
            : { remove: { ...a.remove, index: index.name } },
        );
        try {
          await cluster.request('POST', '/_aliases', { body: { actions } });
          return completed(`Successfully updated alias [index=${index.name}]`);
        } catch (e) {
          return failed(
            `Failed to update alias [index=${index.name}] for actions: [actions=${JSON.stringify(actions)}]`,
            errorMessage(e),
          );
        }
      },
    },
  ],
};
