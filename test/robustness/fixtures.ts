import type { CatalogueEntry } from './catalogue';
import { sendJson } from './http-client';

/**
 * What the sample events refer to, so that fuzzed requests get past "not found" into the code
 * that parses and writes: the cluster's indices, alias and snapshot repository, and the sample
 * documents (created through the API from the samples themselves).
 */
const SOURCE_MAPPING = {
  properties: {
    tpep_pickup_datetime: {
      type: 'date',
      format: 'yyyy-MM-dd HH:mm:ss||strict_date_optional_time||epoch_millis',
    },
    PULocationID: { type: 'keyword' },
    passenger_count: { type: 'integer' },
  },
};

export const prepareCluster = async (clusterUrl: string, pathRepo: string | null): Promise<void> => {
  const put = async (path: string, body?: unknown): Promise<void> => {
    const reply = await sendJson(clusterUrl, 'PUT', path, body);
    if (reply.status >= 300 && reply.status !== 400) {
      throw new Error(`fixture ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    }
  };
  await put('/nyc-taxi-data', { mappings: SOURCE_MAPPING, settings: { number_of_replicas: 0 } });
  for (let i = 0; i < 5; i++) {
    await sendJson(clusterUrl, 'PUT', `/nyc-taxi-data/_doc/${i}?refresh=true`, {
      tpep_pickup_datetime: `2025-01-15 0${i}:00:00`,
      PULocationID: String(100 + i),
      passenger_count: i + 1,
    });
  }
  await put('/logs-000001', {
    aliases: { logs: { is_write_index: true } },
    settings: { number_of_replicas: 0 },
  });
  if (pathRepo)
    await put('/_snapshot/my-fs-repo', { type: 'fs', settings: { location: `${pathRepo}/fuzz` } });
};

/** The sample documents of every namespace, put back as the samples create them. */
export const restoreDocuments = async (apiUrl: string, ops: readonly CatalogueEntry[]): Promise<void> => {
  const creators = [
    'ism.put_policy',
    'sm.create_policy',
    'rollups.put',
    'transforms.put',
    'notifications.create_config',
    'ism.add_policy',
  ];
  for (const name of creators) {
    const op = ops.find((o) => o.operation === name);
    if (!op) continue;
    const template = op.paths[0];
    const path = template.replace(/\{([^}]+)\}/g, (_m, p: string) =>
      encodeURIComponent(op.sample.pathParams[p] ?? ''),
    );
    await sendJson(apiUrl, op.method, path, op.sample.body);
  }
};
