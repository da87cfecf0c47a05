import { OpenSearchError } from '../../shared/errors';
import type { Dimension, Policy, RollupConfig, TransformConfig } from './model';

/**
 * What the `.opendistro-ism-config` mapping (strict, 2.19.6) refuses of a policy the parser took:
 * the date_histogram `format` of the rollup and transform actions is read and rendered by the
 * plugin but not mapped, so a policy that sets one fails when it is indexed.
 */
const strictMapping = (field: string, within: string): OpenSearchError =>
  new OpenSearchError(
    400,
    'strict_dynamic_mapping_exception',
    `mapping set to strict, dynamic introduction of [${field}] within [${within}] is not allowed`,
  );

const hasFormat = (dimensions: readonly Dimension[]): boolean =>
  dimensions.some((d) => 'date_histogram' in d && d.date_histogram.format != null);

export const unmappedField = (policy: Policy): OpenSearchError | undefined => {
  for (const state of policy.states) {
    for (const action of state.actions) {
      const { rollup, transform } = action as { rollup?: RollupConfig; transform?: TransformConfig };
      if (rollup && hasFormat(rollup.ism_rollup.dimensions)) {
        return strictMapping('format', 'policy.states.actions.rollup.ism_rollup.dimensions.date_histogram');
      }
      if (transform && hasFormat(transform.ism_transform.groups)) {
        return strictMapping('format', 'policy.states.actions.transform.ism_transform.groups.date_histogram');
      }
    }
  }
  return undefined;
};
