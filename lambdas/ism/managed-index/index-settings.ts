import type { JobStore } from '../../shared/jobs/job-store';
import type { OptOut } from './service';

/**
 * The ISM index settings the plugin keeps on indices, shown in GET _settings although a
 * plugin-free cluster cannot hold them: `index.plugins.index_state_management.auto_manage:
 * "false"`, which `remove` sets (our opt-out marker). Added to the cluster's answer as
 * OpenSearch renders index settings: string values, nested under `index` or flat with
 * `flat_settings`, only the settings the `{name}` patterns ask for.
 */
export const AUTO_MANAGE = 'index.plugins.index_state_management.auto_manage';

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The `index.uuid` of each index of a GET _settings answer (nested or flat). */
const uuidsOf = (answer: Tree): Map<string, string> => {
  const out = new Map<string, string>();
  for (const [index, entry] of Object.entries(answer)) {
    const settings = isTree(entry) && isTree(entry.settings) ? entry.settings : undefined;
    const nested = settings && isTree(settings.index) ? settings.index.uuid : undefined;
    const uuid = settings?.['index.uuid'] ?? nested;
    if (typeof uuid === 'string') out.set(index, uuid);
  }
  return out;
};

/**
 * index name → the ISM settings it carries, for the indices of the cluster's raw answer (which
 * still holds each `index.uuid`: an index created again under the same name carries none).
 */
export const ismIndexSettings = async (
  optOut: Pick<JobStore<OptOut>, 'list'>,
  answer: Tree,
): Promise<Map<string, Record<string, string>>> => {
  const uuids = uuidsOf(answer);
  const out = new Map<string, Record<string, string>>();
  if (uuids.size === 0) return out;
  // Few indices ever opt out: one query of the markers, not one read per index.
  const optedOut = new Set((await optOut.list()).map((r) => r.id));
  for (const [index, uuid] of uuids) if (optedOut.has(uuid)) out.set(index, { [AUTO_MANAGE]: 'false' });
  return out;
};

const sortKeys = (tree: Tree): Tree =>
  Object.fromEntries(
    Object.keys(tree)
      .sort()
      .map((k) => [k, tree[k]]),
  );

const setNested = (tree: Tree, key: string, value: string): void => {
  const parts = key.split('.');
  let node = tree;
  for (const p of parts.slice(0, -1)) {
    if (!isTree(node[p])) node[p] = {};
    node = node[p] as Tree;
  }
  node[parts[parts.length - 1]] = value;
};

/**
 * Adds the settings to a GET _settings answer (after the `{name}` filter `matches`); an index
 * the names filter had left out comes back when one of ours matches.
 */
export const addIsmIndexSettings = (
  answer: Tree,
  ours: ReadonlyMap<string, Record<string, string>>,
  options: { flat: boolean; matches: (key: string) => boolean },
): Tree => {
  const out: Tree = { ...answer };
  for (const [index, settings] of ours) {
    const shown = Object.entries(settings).filter(([k]) => options.matches(k));
    if (shown.length === 0) continue;
    const entry = isTree(out[index]) ? structuredClone(out[index] as Tree) : {};
    const current = isTree(entry.settings) ? entry.settings : {};
    if (options.flat) entry.settings = sortKeys({ ...current, ...Object.fromEntries(shown) });
    else {
      for (const [k, v] of shown) setNested(current, k, v);
      entry.settings = current;
    }
    out[index] = entry;
  }
  return out;
};
