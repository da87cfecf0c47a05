import type { ReplicaCountConfig } from '../../policy/model';
import { settingsStep, type ActionDefinition } from '../step';

/** replica_count: `attempt_set_replica_count`. */
export const replicaCount: ActionDefinition<'replica_count'> = {
  type: 'replica_count',
  steps: () => [
    settingsStep<ReplicaCountConfig>(
      'attempt_set_replica_count',
      (c) => ({ 'index.number_of_replicas': c.number_of_replicas }),
      (i, c) => `Successfully set number_of_replicas to ${c.number_of_replicas} [index=${i}]`,
      (i, c) => `Failed to set number_of_replicas to ${c.number_of_replicas} [index=${i}]`,
    ),
  ],
};
