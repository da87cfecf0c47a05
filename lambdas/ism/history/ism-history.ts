import type { JobContext, JobFunction } from '../../shared/jobs/run-due';
import { isClusterError, seg, type ClusterApi } from '../cluster-api';
import type { ManagedIndex, ManagedIndexMetaData } from '../managed-index/model';
import {
  HISTORY_INDEX_PATTERN,
  HISTORY_INDICES,
  HISTORY_MAPPING,
  HISTORY_TYPE,
  HISTORY_WRITE_ALIAS,
} from './mapping';
import type { HistorySettings } from './settings';

/**
 * The ISM history index, as the plugin keeps it (IndexStateManagementHistory): every metadata
 * the runner saves, except `starting` and `condition_not_met` steps, becomes a document
 * `{managed_index_meta_data: {...metadata, history_timestamp}}` in the hidden index behind
 * `.opendistro-ism-managed-index-history-write`, which is rolled over by age or size and
 * deleted after the retention period.
 *
 * Best effort, as in the plugin: history is written after the metadata is saved, in one bulk
 * per invocation (or per 500 documents), and a failure to write it is logged, never failing a
 * managed index.
 */
const FLUSH_AT = 500;

export class IsmHistory {
  private readonly buffer: object[] = [];
  /** The last document recorded per index, so that a save repeated unchanged is written once. */
  private readonly last = new Map<string, string>();
  private ready = false;

  constructor(
    private readonly cluster: ClusterApi,
    private readonly settings: HistorySettings,
    private readonly now: () => number,
  ) {}

  get pending(): number {
    return this.buffer.length;
  }

  record(metadata: ManagedIndexMetaData | null | undefined): void {
    if (!this.settings.enabled || !metadata) return;
    const status = metadata.step?.step_status;
    if (status === 'starting' || status === 'condition_not_met') return;
    const json = JSON.stringify(metadata);
    if (this.last.get(metadata.index_uuid) === json) return;
    this.last.set(metadata.index_uuid, json);
    this.buffer.push({ [HISTORY_TYPE]: { ...metadata, history_timestamp: this.now() } });
  }

  /** Writes what was recorded; returns how many documents the cluster took. */
  async flush(): Promise<number> {
    if (this.buffer.length === 0) return 0;
    const docs = this.buffer.splice(0);
    await this.ensureIndex();
    const body = docs.map((d) => `{"index":{}}\n${JSON.stringify(d)}\n`).join('');
    const out = await this.cluster.request<{ items?: { index?: { status?: number } }[] }>(
      'POST',
      `/${seg(HISTORY_WRITE_ALIAS)}/_bulk`,
      { body, query: { filter_path: 'items.index.status' } },
    );
    return (out.items ?? []).filter((i) => (i.index?.status ?? 500) < 300).length;
  }

  /** Rolls the history index over when due and deletes indices past retention. */
  async maintain(): Promise<{ rolledOver: boolean; deleted: string[] }> {
    let rolledOver = false;
    if (this.settings.enabled && (await this.writeIndexExists())) {
      const out = await this.cluster.request<{ rolled_over?: boolean }>(
        'POST',
        `/${seg(HISTORY_WRITE_ALIAS)}/_rollover`,
        {
          body: {
            conditions: {
              max_docs: this.settings.maxDocs,
              max_age: `${Math.round(this.settings.maxAgeMs / 1000)}s`,
            },
            settings: this.indexSettings(),
            mappings: HISTORY_MAPPING,
          },
        },
      );
      rolledOver = out.rolled_over === true;
    }
    return { rolledOver, deleted: await this.deleteExpired() };
  }

  private indexSettings(): Record<string, unknown> {
    return {
      'index.hidden': true,
      'index.number_of_shards': this.settings.shards,
      'index.number_of_replicas': this.settings.replicas,
    };
  }

  private async writeIndexExists(): Promise<boolean> {
    try {
      await this.cluster.request('GET', `/_alias/${seg(HISTORY_WRITE_ALIAS)}`, {
        query: { filter_path: '*.aliases' },
      });
      return true;
    } catch (e) {
      if (isClusterError(e, 404)) return false;
      throw e;
    }
  }

  private async ensureIndex(): Promise<void> {
    if (this.ready) return;
    if (!(await this.writeIndexExists())) {
      try {
        await this.cluster.request('PUT', `/${encodeURIComponent(HISTORY_INDEX_PATTERN)}`, {
          body: {
            settings: this.indexSettings(),
            mappings: HISTORY_MAPPING,
            // A plain alias, as the plugin makes it: a rollover moves it to the new index,
            // which is how retention tells the index being written from older ones.
            aliases: { [HISTORY_WRITE_ALIAS]: { is_hidden: true } },
          },
          query: { wait_for_active_shards: 1 },
        });
      } catch (e) {
        // Another runner made it first.
        if (!isClusterError(e, 400) || e.type !== 'resource_already_exists_exception') throw e;
      }
    }
    this.ready = true;
  }

  private async deleteExpired(): Promise<string[]> {
    let indices: Record<string, { settings?: { index?: { creation_date?: string } } }>;
    let aliases: Record<string, { aliases?: Record<string, unknown> }>;
    try {
      [indices, aliases] = await Promise.all([
        this.cluster.request<typeof indices>('GET', `/${HISTORY_INDICES}/_settings/index.creation_date`, {
          query: { expand_wildcards: 'all' },
        }),
        this.cluster.request<typeof aliases>('GET', `/${HISTORY_INDICES}/_alias`, {
          query: { expand_wildcards: 'all' },
        }),
      ]);
    } catch (e) {
      if (isClusterError(e, 404)) return [];
      throw e;
    }
    const cutoff = this.now() - this.settings.retentionMs;
    const expired = Object.entries(indices)
      .filter(([, s]) => Number(s.settings?.index?.creation_date ?? Infinity) < cutoff)
      .map(([name]) => name)
      // The index being written stays while history is on.
      .filter((name) => !(this.settings.enabled && aliases[name]?.aliases?.[HISTORY_WRITE_ALIAS]));
    if (expired.length > 0) {
      await this.cluster.request('DELETE', `/${expired.map(seg).join(',')}`, {
        query: { expand_wildcards: 'all' },
      });
    }
    return expired;
  }
}

/**
 * The ISM job function with history: every metadata it saves (checkpoints and the final
 * outcome) is recorded, and written once enough has gathered; the caller flushes the rest.
 */
export const withHistory =
  (
    work: JobFunction<ManagedIndex>,
    history: IsmHistory,
    onError: (e: unknown) => void,
  ): JobFunction<ManagedIndex> =>
  async (ctx) => {
    const recording: JobContext<ManagedIndex> = {
      get record() {
        return ctx.record;
      },
      now: () => ctx.now(),
      remainingMs: () => ctx.remainingMs(),
      checkpoint: async (state, dueAt) => {
        const saved = await ctx.checkpoint(state, dueAt);
        history.record(saved.state.metadata);
        return saved;
      },
    };
    const outcome = await work(recording);
    if (outcome !== 'delete') history.record(outcome.state.metadata);
    if (history.pending >= FLUSH_AT) await history.flush().catch(onError);
    return outcome;
  };
