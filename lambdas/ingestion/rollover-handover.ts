import { registerRolloverHook } from '../rollover/hooks';
import { ingestionHandover } from './deps';

/**
 * Every rollover the control plane performs (API and ISM) hands an ingesting index's stream
 * over to the new index: see handover.ts.
 */
registerRolloverHook({
  name: 'ingestion-handover',
  beforeRollover: (plan) =>
    ingestionHandover().prepare(plan.alias, plan.oldIndex, plan.newIndex, plan.request.body),
  afterRollover: (outcome) =>
    ingestionHandover().finish(outcome.plan.alias, outcome.plan.oldIndex, {
      rolledOver: outcome.rolledOver,
      newIndex: outcome.record?.new_index,
      error: outcome.error,
    }),
});
