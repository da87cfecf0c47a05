import { errorMessage, seg, type ClusterApi } from '../../cluster-api';
import type { AliasConfig } from '../../policy/model';
import { completed, failed, type ActionDefinition } from '../step';

/**
 * alias: `attempt_alias`, one `_aliases` call with every action bound to the managed index.
 *
 * A run resumed after a crash first looks at the index's aliases: when every added alias is
 * there and every removed one is gone, the call already happened (repeating it would fail on a
 * `remove` of an alias that no longer exists). Wildcard alias names cannot be told; those run again.
 */
const alreadyApplied = async (cluster: ClusterApi, index: string, config: AliasConfig): Promise<boolean> => {
  const names = config.actions.flatMap((a) => ('add' in a ? a.add.aliases : a.remove.aliases));
  if (names.some((n) => n.includes('*'))) return false;
  const out = await cluster.request<Record<string, { aliases?: Record<string, unknown> }>>(
    'GET',
    `/${seg(index)}/_alias`,
  );
  const current = new Set(Object.keys(out[index]?.aliases ?? {}));
  return config.actions.every((a) =>
    'add' in a ? a.add.aliases.every((n) => current.has(n)) : a.remove.aliases.every((n) => !current.has(n)),
  );
};

export const alias: ActionDefinition<'alias'> = {
  type: 'alias',
  steps: () => [
    {
      name: 'attempt_alias',
      async execute({ cluster, index, config, resumed }) {
        const actions = (config as AliasConfig).actions.map((a) =>
          'add' in a
            ? { add: { ...a.add, index: index.name } }
            : { remove: { ...a.remove, index: index.name } },
        );
        const done = completed(`Successfully updated alias [index=${index.name}]`);
        try {
          if (resumed && (await alreadyApplied(cluster, index.name, config as AliasConfig))) return done;
          await cluster.request('POST', '/_aliases', { body: { actions } });
          return done;
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
