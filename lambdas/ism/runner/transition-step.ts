import { CronExpressionParser } from 'cron-parser';
import { errorMessage } from '../cluster-api';
import type { Conditions, Transition } from '../policy/model';
import { bytesOf, millisOf } from './format';
import { indexStats, type IndexStats } from './index-stats';
import { completed, failed, waiting, type Step, type StepResult } from './step';

/**
 * The implicit `transition` action (AttemptTransitionStep.kt): after a state's actions, the first
 * transition whose condition holds wins; its target is saved as `transition_to` and the runner
 * moves there. No transitions: the policy is completed.
 */
export interface TransitionResult extends StepResult {
  transitionTo?: string;
  policyCompleted?: boolean;
}

const cronFiredSince = (
  cron: NonNullable<Conditions['cron']>['cron'],
  since: number,
  now: number,
): boolean => {
  const next = CronExpressionParser.parse(cron.expression, {
    currentDate: new Date(since),
    tz: cron.timezone,
  }).next();
  return next.getTime() <= now;
};

export const transitionStep = (
  transitions: Transition[],
): Step<undefined> & {
  execute(ctx: Parameters<Step<undefined>['execute']>[0]): Promise<TransitionResult>;
} => ({
  name: 'attempt_transition_step',
  async execute({ cluster, index, metadata, now }): Promise<TransitionResult> {
    const i = index.name;
    if (transitions.length === 0) return { status: 'completed', info: {}, policyCompleted: true };
    const needsStats = transitions.some(
      (t) => t.conditions?.min_doc_count !== undefined || t.conditions?.min_size !== undefined,
    );
    let stats: IndexStats | undefined;
    if (needsStats) {
      try {
        stats = await indexStats(cluster, i);
      } catch (e) {
        return failed(`Failed to get stats information for the index [index=${i}]`, errorMessage(e));
      }
    }
    const stepStart = metadata.step?.name === 'attempt_transition_step' ? metadata.step.start_time : now;
    try {
      for (const t of transitions) {
        const c = t.conditions;
        let met = true;
        if (c?.min_index_age !== undefined) {
          met = index.creationDate > 0 && now - index.creationDate >= millisOf(c.min_index_age);
        } else if (c?.min_doc_count !== undefined) {
          met = (stats?.docCount ?? 0) >= c.min_doc_count;
        } else if (c?.min_size !== undefined) {
          met = (stats?.sizeBytes ?? 0) >= bytesOf(c.min_size);
        } else if (c?.min_rollover_age !== undefined) {
          const times = Object.values(index.rolloverInfo);
          if (times.length === 0) {
            return failed(
              `Failed to transition index as min_rollover_age condition was used, but the index has never been rolled over [index=${i}]`,
            );
          }
          met = now - Math.min(...times) >= millisOf(c.min_rollover_age);
        } else if (c?.cron !== undefined) {
          met = cronFiredSince(c.cron.cron, stepStart, now);
        } else if (c?.min_state_age !== undefined) {
          met = now - (metadata.state?.start_time ?? now) >= millisOf(c.min_state_age);
        } else if (c?.no_alias !== undefined) {
          met = c.no_alias ? index.aliases.length === 0 : index.aliases.length > 0;
        }
        if (met)
          return {
            ...completed(`Transitioning to ${t.state_name} [index=${i}]`),
            transitionTo: t.state_name,
          };
      }
    } catch (e) {
      return failed(`Failed to transition index [index=${i}]`, errorMessage(e));
    }
    return waiting(`Evaluating transition conditions [index=${i}]`);
  },
});
