import { OpenSearchError } from '../../shared/errors';
import type { RollupJob } from './model';

/**
 * What the `.opendistro-ism-config` mapping (strict, 2.19.6) refuses of a job the parser took:
 * a date_histogram's `format` is read and rendered by the plugin but not mapped, so a job that
 * sets one fails when it is indexed (a null format introduces nothing and passes).
 */
export const unmappedField = (job: Pick<RollupJob, 'dimensions'>): OpenSearchError | undefined =>
  job.dimensions.some((d) => 'date_histogram' in d && d.date_histogram.format != null)
    ? new OpenSearchError(
        400,
        'strict_dynamic_mapping_exception',
        'mapping set to strict, dynamic introduction of [format] within [rollup.dimensions.date_histogram] is not allowed',
      )
    : undefined;
