import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/clock';
import type { DocumentStore, StoredDocument } from '../../shared/document-store';
import { illegalArgument, statusException } from '../../shared/errors';
import { retryLostRaces } from '../../shared/lost-race';
import type { Query } from '../../shared/params';
import { KEYWORD_FIELDS, RANGE_FIELDS, TEXT_FIELDS } from './list-params';
import type { ChannelConfig, ChannelDocument } from './model';

/** One entry of `config_list` (NotificationConfigInfo). */
export interface ConfigInfo {
  config_id: string;
  last_updated_time_ms: number;
  created_time_ms: number;
  config: ChannelConfig;
}

/** GetNotificationConfigResponse (NotificationConfigSearchResult). */
export interface ConfigSearchResult {
  start_index: number;
  total_hits: number;
  total_hit_relation: 'eq' | 'gte';
  config_list: ConfigInfo[];
}

export const DEFAULT_MAX_ITEMS = 100;

const notFound = (what: string): Error => statusException(404, `NotificationConfig ${what} not found`);

/** Kotlin's Set.toString, as the plugin prints id sets in its messages. */
const setText = (ids: Iterable<string>): string => `[${[...ids].join(', ')}]`;

const info = (doc: StoredDocument<ChannelDocument>): ConfigInfo => ({
  config_id: doc.id,
  last_updated_time_ms: doc.source.last_updated_time_ms,
  created_time_ms: doc.source.created_time_ms,
  config: doc.source.config,
});

/** A field's value for filtering and sorting: `config.<path>` or the document's times. */
const valueOf = (item: ConfigInfo, field: string): string | number | boolean | undefined => {
  if (field === 'last_updated_time_ms' || field === 'created_time_ms') return item[field];
  let v: unknown = item.config;
  for (const part of field.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
};

/** An analyzed-text match, roughly: every word of the query appears in the value. */
const textMatches = (value: unknown, query: string): boolean => {
  if (typeof value !== 'string') return false;
  const haystack = value.toLowerCase();
  return query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .some((word) => haystack.includes(word));
};

/** `from..to` (either side optional), as the plugin's range filters read it. */
const inRange = (value: number, range: string): boolean => {
  const [from, to] = range.split('..');
  const lo = from ? Number(from) : -Infinity;
  const hi = to ? Number(to) : Infinity;
  if (Number.isNaN(lo) || Number.isNaN(hi))
    throw illegalArgument(`Invalid range [${range}], expected from..to`);
  return value >= lo && value <= hi;
};

/** The Notifications plugin's channel configurations (ConfigIndexingActions), over the document store. */
export class ChannelService {
  constructor(
    private readonly store: DocumentStore<ChannelDocument>,
    private readonly clock: Clock,
  ) {}

  /** Create with the given id or a generated one; an existing id is a 409, as with op_type=create. */
  async create(configId: string | undefined, config: ChannelConfig): Promise<string> {
    // OpenSearch generates 20-character URL-safe ids.
    const id = configId ?? randomBytes(15).toString('base64url');
    const now = this.clock.now();
    await this.store.create(id, { config_id: id, created_time_ms: now, last_updated_time_ms: now, config });
    return id;
  }

  /**
   * Replaces the config, as the plugin does (an overwrite with no version check: of concurrent
   * updates the last one wins, none fails). The write is conditional on what was read, and one
   * that lost a race reads again, so a delete in between is a 404, never a resurrection.
   */
  async update(id: string, config: ChannelConfig): Promise<string> {
    await retryLostRaces(async () => {
      const current = await this.store.get(id);
      if (!current) throw notFound(id);
      if (current.source.config.config_type !== config.config_type) {
        throw statusException(409, 'Config type cannot be changed after creation');
      }
      const next: ChannelDocument = { ...current.source, last_updated_time_ms: this.clock.now(), config };
      await this.store.update(id, next, current.seqNo, current.primaryTerm);
    });
    return id;
  }

  /** By id(s): every id must exist (404 names the missing ones). */
  async get(ids: string[]): Promise<ConfigSearchResult> {
    const docs = await Promise.all(ids.map((id) => this.store.get(id)));
    const missing = ids.filter((_, i) => !docs[i]);
    if (missing.length > 0) throw notFound(ids.length === 1 ? ids[0] : setText(missing));
    const list = (docs as StoredDocument<ChannelDocument>[]).map(info);
    return { start_index: 0, total_hits: list.length, total_hit_relation: 'eq', config_list: list };
  }

  /** The list with the plugin's filters, sort (default last_updated_time_ms asc) and paging. */
  async list(query: Query): Promise<ConfigSearchResult> {
    const from = Number.parseInt(query.from_index ?? '', 10);
    const max = Number.parseInt(query.max_items ?? '', 10);
    const fromIndex = Number.isNaN(from) ? 0 : from;
    const maxItems = Number.isNaN(max) ? DEFAULT_MAX_ITEMS : max;
    const sortField = query.sort_field ?? 'last_updated_time_ms';
    if (![...KEYWORD_FIELDS, ...TEXT_FIELDS, ...RANGE_FIELDS].includes(sortField)) {
      throw statusException(406, `Sort on ${sortField} not acceptable`);
    }
    const order = (query.sort_order ?? 'asc').toLowerCase();
    if (order !== 'asc' && order !== 'desc') {
      throw illegalArgument(`No sort order for [${query.sort_order}]`);
    }
    let items = (await this.store.list()).map(info);
    for (const [key, raw] of Object.entries(query)) {
      if (raw === undefined) continue;
      if (KEYWORD_FIELDS.includes(key)) {
        const wanted = raw.split(',');
        items = items.filter((i) => wanted.includes(String(valueOf(i, key))));
      } else if (TEXT_FIELDS.includes(key)) {
        items = items.filter((i) => textMatches(valueOf(i, key), raw));
      } else if (RANGE_FIELDS.includes(key)) {
        items = items.filter((i) => inRange(valueOf(i, key) as number, raw));
      } else if (key === 'query' || key === 'text_query') {
        const fieldsToSearch = key === 'query' ? [...KEYWORD_FIELDS, ...TEXT_FIELDS] : TEXT_FIELDS;
        items = items.filter((i) =>
          fieldsToSearch.some((f) => textMatches(String(valueOf(i, f) ?? ''), raw)),
        );
      }
    }
    const sign = order === 'asc' ? 1 : -1;
    items.sort((a, b) => {
      const x = valueOf(a, sortField);
      const y = valueOf(b, sortField);
      if (x === y) return a.config_id < b.config_id ? -1 : 1;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return (x < y ? -1 : 1) * sign;
    });
    return {
      start_index: fromIndex,
      total_hits: items.length,
      total_hit_relation: 'eq',
      config_list: items.slice(fromIndex, fromIndex + Math.max(maxItems, 0)),
    };
  }

  /**
   * Deletes all the ids or none: a missing one is a 404 before anything is deleted. One that a
   * concurrent delete took first is not this call's: alone, it is the 404 it would get a moment
   * later; in a list, its entry is NOT_FOUND, as the plugin's bulk delete reports it.
   */
  async delete(ids: string[]): Promise<{ delete_response_list: Record<string, 'OK' | 'NOT_FOUND'> }> {
    const docs = await Promise.all(ids.map((id) => this.store.get(id)));
    const missing = ids.filter((_, i) => !docs[i]);
    if (missing.length > 0) throw notFound(ids.length === 1 ? ids[0] : setText(missing));
    const out: Record<string, 'OK' | 'NOT_FOUND'> = {};
    for (const id of ids) {
      const deleted = await this.store.delete(id);
      if (!deleted && ids.length === 1) throw notFound(id);
      out[id] = deleted ? 'OK' : 'NOT_FOUND';
    }
    return { delete_response_list: out };
  }

  async channel(id: string): Promise<ChannelDocument> {
    const doc = await this.store.get(id);
    if (!doc) throw notFound(id);
    return doc.source;
  }
}
