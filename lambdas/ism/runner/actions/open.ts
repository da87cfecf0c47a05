import { errorMessage, seg } from '../../cluster-api';
import { completed, failed, type ActionDefinition } from '../step';

/** open: `attempt_open`. */
export const open: ActionDefinition<'open'> = {
  type: 'open',
  steps: () => [
    {
      name: 'attempt_open',
      async execute({ cluster, index }) {
        try {
          await cluster.request('POST', `/${seg(index.name)}/_open`);
          return completed(`Successfully opened index [index=${index.name}]`);
        } catch (e) {
          return failed(`Failed to open index [index=${index.name}]`, errorMessage(e));
        }
      },
    },
  ],
};
