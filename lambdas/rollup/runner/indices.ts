import type { Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import { dateHistogramOf, type RollupJob } from '../job/model';
import { nominalIntervalMs } from '../job/intervals';
import { renderTargetIndex } from '../job/target';

/**
 * What the runner checks and prepares on the cluster before it rolls up (RollupMapperService):
 * the source indices hold every field the job reads; the target index exists, holds rollup data
 * only, and lists the job in its mapping's `_meta.rollups`.
 *
 * A cluster without the plugin refuses the plugin's index setting `index.plugins.rollup_index`,
 * so a rollup index is recognised by its mapping: `_meta.rollups` (plugin-made indices, which
 * carry the setting, are recognised too).
 */
export type Validation =
  | {
      ok: true;
      fieldTypes: Record<string, string>;
      /** The source is itself a rollup index (rollup-on-rollup): its first registered job. */
      sourceJob?: RollupJob;
    }
  | { ok: false; reason: string };

type Mapping = { properties?: Record<string, MappingNode>; _meta?: Record<string, unknown> };
type MappingNode = {
  type?: string;
  properties?: Record<string, MappingNode>;
  fields?: Record<string, MappingNode>;
};

const isNotFound = (e: unknown): boolean => e instanceof errors.ResponseError && e.statusCode === 404;

/** RollupMapperService.getFieldFromMappings: a dotted path through `properties` (or `fields`). */
export const fieldType = (mapping: Mapping, path: string): string | undefined => {
  let node: MappingNode | undefined = mapping as MappingNode;
  for (const part of path.split('.')) {
    node = node?.properties?.[part] ?? node?.fields?.[part];
    if (!node) return undefined;
  }
  return node.type ?? 'object';
};

export const jobFields = (job: RollupJob): string[] => [
  ...job.dimensions.map((d) =>
    'date_histogram' in d
      ? d.date_histogram.source_field
      : 'terms' in d
        ? d.terms.source_field
        : d.histogram.source_field,
  ),
  ...job.metrics.map((m) => m.source_field),
];

/** RollupMapperService.isSourceIndexValid, and the field types for key rendering. */
export const validateSource = async (client: Client, job: RollupJob): Promise<Validation> => {
  let body: Record<string, { mappings: Mapping }>;
  try {
    const res = await client.indices.getMapping({ index: job.source_index, expand_wildcards: 'all' });
    body = res.body as unknown as Record<string, { mappings: Mapping }>;
  } catch (e) {
    if (isNotFound(e)) return { ok: false, reason: `No indices found for [${job.source_index}]` };
    throw e;
  }
  const indices = Object.keys(body);
  if (indices.length === 0) return { ok: false, reason: `No indices found for [${job.source_index}]` };
  const rollupSource = indices
    .sort()
    .map((i) => body[i].mappings?._meta?.rollups as Record<string, RollupJob> | undefined)
    .find((r) => r && Object.keys(r).length > 0);
  if (rollupSource) {
    const sourceJob = Object.values(rollupSource)[0];
    const reason = rollupOnRollupIssue(job, sourceJob);
    if (reason) return { ok: false, reason };
    // Keys render by the stored fields' types (`<field>.terms`).
    const fieldTypes: Record<string, string> = {};
    for (const d of job.dimensions) {
      const [type, v] = Object.entries(d)[0] as [string, { source_field: string }];
      const t = fieldType(body[indices[0]].mappings, `${v.source_field}.${type}`);
      if (t) fieldTypes[v.source_field] = t;
    }
    return { ok: true, fieldTypes, sourceJob };
  }
  const fieldTypes: Record<string, string> = {};
  for (const index of indices) {
    const missing: string[] = [];
    for (const f of jobFields(job)) {
      const type = fieldType(body[index].mappings, f);
      if (type === undefined) missing.push(`missing field ${f}`);
      else fieldTypes[f] ??= type;
    }
    if (missing.length > 0) {
      return {
        ok: false,
        reason: `Invalid mappings for index [${index}] because [${[...new Set(missing)].join(', ')}]`,
      };
    }
  }
  return { ok: true, fieldTypes };
};

const intervalText = (d: { fixed_interval?: string; calendar_interval?: string }): string =>
  d.fixed_interval ?? d.calendar_interval ?? '';

const dimensionKey = (d: RollupJob['dimensions'][number]): [string, string] => {
  const [type, v] = Object.entries(d)[0] as [string, { source_field: string }];
  return [type, v.source_field];
};

/**
 * What a job can roll up from a rollup index (multi-tier rollups): coarser buckets of the same
 * dimensions, and metrics the source job kept.
 */
export const rollupOnRollupIssue = (job: RollupJob, source: RollupJob): string | undefined => {
  const target = dateHistogramOf(job);
  const from = dateHistogramOf(source);
  const t = nominalIntervalMs(target);
  const f = nominalIntervalMs(from);
  if (t <= f || t % f !== 0) {
    return `Target interval [${intervalText(target)}] must be an exact multiple of source interval [${intervalText(from)}]`;
  }
  const sourceDims = new Set(source.dimensions.map((d) => dimensionKey(d).join('|')));
  const missingDims = job.dimensions.filter((d) => !sourceDims.has(dimensionKey(d).join('|')));
  if (missingDims.length > 0) {
    return `Cannot rollup on dimension fields [${missingDims.map((d) => dimensionKey(d)[1]).join(', ')}] that don't exist in source rollup`;
  }
  const sourceMetrics = new Map(
    source.metrics.map((m) => [m.source_field, m.metrics.map((x) => Object.keys(x)[0])]),
  );
  const missingFields = job.metrics
    .filter((m) => !sourceMetrics.has(m.source_field))
    .map((m) => m.source_field);
  if (missingFields.length > 0) {
    return `Cannot rollup on metric fields [${missingFields.join(', ')}] that don't exist in source rollup`;
  }
  const missingMetrics = job.metrics.flatMap((m) =>
    m.metrics
      .map((x) => Object.keys(x)[0])
      .filter((type) => !sourceMetrics.get(m.source_field)?.includes(type))
      .map((type) => `${m.source_field}.${type}`),
  );
  if (missingMetrics.length > 0) {
    return `Target rollup requests metrics [${missingMetrics.join(', ')}] that are not available in source rollup`;
  }
  return undefined;
};

/** A job as `_meta.rollups` lists it: rendered without its type, with its (null) user. */
const metaEntry = (job: RollupJob): Record<string, unknown> => ({ ...job, user: null });

/** The plugin's target mapping (opendistro-rollup-target.json) with the job registered. */
export const targetMapping = (job: RollupJob): Record<string, unknown> => ({
  // The plugin creates the index with `_meta.schema_version` and then puts `_meta` anew with
  // the job added (TransportUpdateRollupMappingAction), which leaves `rollups` alone.
  _meta: { rollups: { [job.rollup_id]: metaEntry(job) } },
  dynamic_templates: [
    { strings: { match_mapping_type: 'string', mapping: { type: 'keyword' } } },
    { date_histograms: { path_match: '*.date_histogram', mapping: { type: 'date' } } },
  ],
});

const isRollupIndex = (
  mapping: Mapping | undefined,
  settings: Record<string, unknown> | undefined,
): boolean => {
  const rollups = mapping?._meta?.rollups;
  if (rollups !== null && typeof rollups === 'object') return true;
  const index = (settings as { index?: Record<string, unknown> } | undefined)?.index ?? {};
  const flag = (k: string) =>
    String((index[k] as { rollup_index?: unknown } | undefined)?.rollup_index) === 'true';
  return flag('plugins') || flag('opendistro');
};

/** RollupMapperService.attemptCreateRollupTargetIndex / updateRollupIndexMappings. */
export const prepareTarget = async (
  client: Client,
  job: RollupJob,
): Promise<{ ok: true; index: string } | { ok: false; reason: string }> => {
  const index = renderTargetIndex(job.target_index, {
    source_index: job.source_index,
    index: job.source_index,
  });
  const read = async (): Promise<
    { mapping: Mapping; settings: Record<string, unknown>; name: string } | undefined
  > => {
    try {
      const [m, s] = await Promise.all([
        client.indices.getMapping({ index }),
        client.indices.getSettings({ index }),
      ]);
      const names = Object.keys(m.body);
      if (names.length !== 1) return { mapping: {}, settings: {}, name: names.join(',') };
      const name = names[0];
      const mapping = (m.body as unknown as Record<string, { mappings: Mapping }>)[name].mappings;
      const settings = (s.body as unknown as Record<string, { settings: Record<string, unknown> }>)[name]
        .settings;
      return { mapping, settings, name };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  let current = await read();
  if (!current) {
    try {
      await client.indices.create({
        index,
        body: { settings: job.target_index_settings ?? {}, mappings: targetMapping(job) } as never,
      });
      return { ok: true, index };
    } catch (e) {
      // Another job created it meanwhile: validate what is there.
      if (!(
        e instanceof errors.ResponseError &&
        e.statusCode === 400 &&
        /already_exists/.test(JSON.stringify(e.body))
      ))
        return { ok: false, reason: errorReason(e) };
      current = await read();
      if (!current) return { ok: false, reason: `Failed to create target index [${index}]` };
    }
  }
  if (!isRollupIndex(current.mapping, current.settings)) {
    return { ok: false, reason: `Target index [${index}] is a non rollup index` };
  }
  const meta = current.mapping._meta ?? {};
  const rollups = (meta.rollups ?? {}) as Record<string, unknown>;
  if (!(job.rollup_id in rollups)) {
    // _meta is replaced as a whole, as the plugin's is: every job's entry, and nothing else.
    await client.indices.putMapping({
      index: current.name,
      body: { _meta: { rollups: { ...rollups, [job.rollup_id]: metaEntry(job) } } },
    });
  }
  return { ok: true, index: current.name };
};

/** The cause message the plugin stores as `failure_reason`. */
export const errorReason = (e: unknown): string => {
  if (e instanceof errors.ResponseError) {
    const err = (e.body as { error?: { reason?: string; root_cause?: { reason?: string }[] } } | undefined)
      ?.error;
    return err?.root_cause?.[0]?.reason ?? err?.reason ?? e.message;
  }
  return (e as Error).message ?? String(e);
};
