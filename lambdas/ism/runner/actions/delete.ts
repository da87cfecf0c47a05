import { errorMessage, isClusterError, seg } from '../../cluster-api';
import { completed, failed, waiting, type ActionDefinition } from '../step';

/** delete: `attempt_delete` (AttemptDeleteStep.kt). An index already gone counts as deleted. */
export const deleteAction: ActionDefinition<'delete'> = {
  type: 'delete',
  steps: () => [
    {
      name: 'attempt_delete',
      async execute({ cluster, index }) {
        try {
          await cluster.request('DELETE', `/${seg(index.name)}`);
          return completed(`Successfully deleted index [index=${index.name}]`);
        } catch (e) {
          if (isClusterError(e, 404)) return completed(`Successfully deleted index [index=${index.name}]`);
          if (/snapshot/i.test(errorMessage(e)) && /progress|being snapshotted/i.test(errorMessage(e))) {
            return waiting(`Index had snapshot in progress, retrying deletion [index=${index.name}]`);
          }
          return failed(`Failed to delete index [index=${index.name}]`, errorMessage(e));
        }
      },
    },
  ],
};
