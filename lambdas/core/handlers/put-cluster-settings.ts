import { apiHandler } from '../../shared/http';
import { applyFilterPaths, parseFilterPath } from '../../shared/filter-path';
import { clusterSettingsDeps } from '../cluster-settings/deps';
import { putClusterSettings } from '../cluster-settings/service';

/**
 * PUT _cluster/settings: the index-management plugin's settings are ours (validated, kept, and
 * read by the workers); every other setting goes to the cluster (see ../cluster-settings/service.ts).
 * The body is read here (numbers as Jackson reads them) or, when it is no JSON, sent to the
 * cluster for its own parse error.
 */
export const handler = apiHandler(
  'cluster.put_settings',
  async ({ rawBody, query }) => {
    const reply = await putClusterSettings(rawBody, query, clusterSettingsDeps());
    const body =
      reply.status === 200 ? applyFilterPaths(reply.body, parseFilterPath(query.filter_path)) : reply.body;
    return { status: reply.status, body };
  },
  { rawBody: true },
);
