import { apiHandler } from '../../shared/http';
import { applyFilterPaths, parseFilterPath } from '../../shared/filter-path';
import { clusterSettingsDeps } from '../cluster-settings/deps';
import { getClusterSettings } from '../cluster-settings/service';

/**
 * GET _cluster/settings: the cluster's answer with the index-management plugin's settings added
 * (`persistent`, `transient`, and with `include_defaults` every plugin setting's value in force);
 * `filter_path` is applied after, as the cluster applies it to its whole answer.
 */
export const handler = apiHandler('cluster.get_settings', async ({ query }) => {
  const reply = await getClusterSettings(query, clusterSettingsDeps());
  const body =
    reply.status === 200 ? applyFilterPaths(reply.body, parseFilterPath(query.filter_path)) : reply.body;
  return { status: reply.status, body };
});
