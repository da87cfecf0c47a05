import { errorMessage, seg } from '../../cluster-api';
import { completed, failed, waiting, type ActionDefinition } from '../step';

/** close: `attempt_close`. Closing a closed index is acknowledged again, so a resumed run is safe. */
export const close: ActionDefinition<'close'> = {
  type: 'close',
  steps: () => [
    {
      name: 'attempt_close',
      async execute({ cluster, index }) {
        try {
          await cluster.request('POST', `/${seg(index.name)}/_close`);
          return completed(`Successfully closed index [index=${index.name}]`);
        } catch (e) {
          if (/snapshot/i.test(errorMessage(e))) {
            return waiting(`Index had snapshot in progress, retrying closing [index=${index.name}]`);
          }
          return failed(`Failed to close index [index=${index.name}]`, errorMessage(e));
        }
      },
    },
  ],
};
