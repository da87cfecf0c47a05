import { OpenSearchError } from '../../shared/errors';
import { boolParam, type Query } from '../../shared/params';
import {
  PLUGIN_SETTINGS,
  PluginSettingsView,
  nodeSettingsFromEnv,
  type SettingValue,
} from '../../shared/plugin-settings';
import type { SettingsUpdate, StoredSettings } from '../../shared/plugin-settings-store';
import { SECTIONS, isEmptyUpdate, parseSettingsBody, type FlatSection, type FlatUpdate } from './body';

/**
 * `PUT` and `GET _cluster/settings` as the plugin's cluster answers them: the plugin's settings
 * (lambdas/shared/plugin-settings.ts) are ours, validated with the plugin's rules and kept in our
 * store; every other setting is the cluster's, sent to it as it is. A request that holds both is
 * checked by both before either is written: ours first, then the cluster's answer decides.
 */
export interface ClusterReply {
  readonly status: number;
  readonly body: unknown;
}

export interface SettingsCluster {
  /** `PUT _cluster/settings` with these sections (flat keys, values as texts). */
  put(body: FlatUpdate, query: Query): Promise<ClusterReply>;
  /** `PUT _cluster/settings` with the body as sent (one we cannot read: the cluster's error). */
  putRaw(body: string | undefined, query: Query): Promise<ClusterReply>;
  get(query: Query): Promise<ClusterReply>;
}

export interface SettingsStorePort {
  read(): Promise<StoredSettings>;
  update(update: SettingsUpdate): Promise<StoredSettings>;
}

export interface ClusterSettingsDeps {
  readonly cluster: SettingsCluster;
  readonly store: SettingsStorePort;
  /** The deployment's values (default: the functions' environment). */
  readonly node?: Readonly<Record<string, SettingValue>>;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `a.b.c` keys as nested objects, as OpenSearch writes settings without `flat_settings`. */
export const nest = (flat: Readonly<Record<string, SettingValue>>): Json => {
  const out: Json = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      if (!isObject(node[part])) node[part] = {};
      node = node[part] as Json;
    }
    node[parts[parts.length - 1]] = value;
  }
  return out;
};

const deepMerge = (base: Json, extra: Json): Json => {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    out[k] = isObject(out[k]) && isObject(v) ? deepMerge(out[k] as Json, v) : v;
  }
  return out;
};

/** Adds our settings to one section of the cluster's answer, in the answer's form. */
const mergeSection = (theirs: unknown, ours: Readonly<Record<string, SettingValue>>, flat: boolean): Json => {
  const base = isObject(theirs) ? theirs : {};
  if (!flat) return deepMerge(base, nest(ours));
  const merged: Json = { ...base, ...ours };
  // OpenSearch writes flat settings in key order.
  return Object.fromEntries(
    Object.keys(merged)
      .sort()
      .map((k) => [k, merged[k]]),
  );
};

const noSettings = (): OpenSearchError =>
  new OpenSearchError(
    400,
    'action_request_validation_exception',
    'Validation Failed: 1: no settings to update;',
  );

const emptyUpdate = (): FlatUpdate => ({ persistent: {}, transient: {} });

/**
 * Ours and the cluster's. A reset by pattern (`plugins.index_state_management.*: null`) goes to
 * both: the cluster takes it whatever it matches.
 */
export const splitUpdate = (update: FlatUpdate): { ours: FlatUpdate; theirs: FlatUpdate } => {
  const ours = emptyUpdate();
  const theirs = emptyUpdate();
  for (const section of SECTIONS) {
    for (const [key, value] of Object.entries(update[section])) {
      const pattern = value === null && key.endsWith('*');
      if (PLUGIN_SETTINGS.has(key) || pattern) ours[section][key] = value;
      if (!PLUGIN_SETTINGS.has(key)) theirs[section][key] = value;
    }
  }
  return { ours, theirs };
};

/** The plugin's checks, in OpenSearch's order: transient before persistent, keys in order. */
export const validateOurs = (ours: FlatUpdate): void => {
  for (const section of SECTIONS) {
    for (const key of Object.keys(ours[section]).sort()) {
      const value = ours[section][key];
      if (value !== null) PLUGIN_SETTINGS.get(key)?.parse(value);
    }
  }
};

const setValues = (section: FlatSection): Record<string, SettingValue> =>
  Object.fromEntries(Object.entries(section).filter((e): e is [string, SettingValue] => e[1] !== null));

/** What the cluster sees of our query: its own parameters (pretty and filter_path are applied here). */
const OWN_PARAMS = new Set(['pretty', 'filter_path']);
const clusterQuery = (query: Query): Query =>
  Object.fromEntries(Object.entries(query).filter(([k]) => !OWN_PARAMS.has(k)));

export const putClusterSettings = async (
  rawBody: string | undefined,
  query: Query,
  deps: ClusterSettingsDeps,
): Promise<ClusterReply> => {
  const flat = boolParam(query, 'flat_settings', false);
  const update = rawBody === undefined ? undefined : parseSettingsBody(rawBody);
  if (update === undefined) return deps.cluster.putRaw(rawBody, clusterQuery(query));
  if (isEmptyUpdate(update)) throw noSettings();
  const { ours, theirs } = splitUpdate(update);
  validateOurs(ours);
  let answer: Json = { acknowledged: true, persistent: {}, transient: {} };
  if (!isEmptyUpdate(theirs)) {
    const reply = await deps.cluster.put(theirs, clusterQuery(query));
    // The cluster refused its part: nothing of ours is written.
    if (reply.status !== 200 || !isObject(reply.body)) return reply;
    answer = reply.body;
  }
  if (!isEmptyUpdate(ours)) await deps.store.update(ours);
  return {
    status: 200,
    body: {
      ...answer,
      persistent: mergeSection(answer.persistent, setValues(ours.persistent), flat),
      transient: mergeSection(answer.transient, setValues(ours.transient), flat),
    },
  };
};

export const getClusterSettings = async (query: Query, deps: ClusterSettingsDeps): Promise<ClusterReply> => {
  const flat = boolParam(query, 'flat_settings', false);
  const includeDefaults = boolParam(query, 'include_defaults', false);
  const reply = await deps.cluster.get(clusterQuery(query));
  if (reply.status !== 200 || !isObject(reply.body)) return reply;
  const stored = await deps.store.read();
  const answer: Json = {
    ...reply.body,
    persistent: mergeSection(reply.body.persistent, stored.persistent, flat),
    transient: mergeSection(reply.body.transient, stored.transient, flat),
  };
  if (includeDefaults) {
    const view = new PluginSettingsView({ ...stored, node: deps.node ?? nodeSettingsFromEnv() });
    answer.defaults = mergeSection(reply.body.defaults, view.defaults(), flat);
  }
  return { status: 200, body: answer };
};
