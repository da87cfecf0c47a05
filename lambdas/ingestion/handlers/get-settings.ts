import { applyFilterPaths, parseFilterPath } from '../../shared/filter-path';
import { apiHandler, type ApiRequest, type ApiResponse } from '../../shared/http';
import { ismSettings } from '../../ism';
import { ingestionCluster, ingestionService } from '../deps';
import {
  addIngestionSettings,
  ingestionSettings,
  matchesNames,
  parseNames,
  type Registered,
} from '../settings-view';

/**
 * GET [/<index>]/_settings[/<name>]: the cluster answers; indices we ingest get back their
 * `index.ingestion_source.*` settings, which the cluster never saw, and indices ISM was removed
 * from get back the plugin's `index.plugins.index_state_management.auto_manage: "false"`. Any other status, and
 * every index not registered with the poller (plain, or ingested natively), pass unchanged.
 * `filter_path` is applied here, after ours are added, as the cluster would have applied it to
 * an answer holding them (the cluster never filters an error answer, nor do we).
 */

/**
 * Every index has it: asked for beside a names filter so that no index drops out of the answer,
 * and so that a registration is checked against the index the cluster has under that name.
 */
const PROBE = 'index.uuid';

const flag = (value: string | undefined): boolean => value !== undefined && value !== 'false';

const lookUp = async (indices: readonly string[]): Promise<Map<string, Registered>> => {
  const found = await ingestionService().registrations(indices);
  return new Map(
    [...found].map(([name, r]) => [name, { settings: ingestionSettings(r.source), uuid: r.indexUuid }]),
  );
};

const getSettings = async (request: ApiRequest): Promise<ApiResponse> => {
  const { filter_path: filterPath, ...query } = request.query;
  const { pathParams } = request;
  const cluster = ingestionCluster();
  const names = parseNames(pathParams.name);
  const includeDefaults = flag(query.include_defaults);
  const probe = names.length > 0 && !matchesNames(names, PROBE) ? PROBE : undefined;
  const path = probe ? `${request.path},${PROBE}` : request.path;
  const reply = await cluster.forward('GET', path, query);
  if (reply.status !== 200 || reply.body === null || typeof reply.body !== 'object') {
    return { status: reply.status, body: reply.body };
  }
  const answer = reply.body as Record<string, unknown>;
  const ours = await lookUp(Object.keys(answer));
  const flat = flag(query.flat_settings);
  // ISM's index settings too (auto_manage after a remove), looked up by the answer's index.uuid.
  const ism = await ismSettings.lookUp(answer);
  const body = ismSettings.add(
    addIngestionSettings(answer, ours, { flat, names, includeDefaults, probe }),
    ism,
    {
      flat,
      matches: (key) => matchesNames(names, key),
    },
  );
  return { status: 200, body: applyFilterPaths(body, parseFilterPath(filterPath)) };
};

export const handler = apiHandler('indices.get_settings', getSettings);
