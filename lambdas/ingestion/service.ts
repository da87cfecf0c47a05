import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../shared/clock';
import { OpenSearchError, illegalArgument } from '../shared/errors';
import { StaleJobError, type JobRecord, type JobStore, type Schedule } from '../shared/jobs/job-store';
import { retryLostRaces } from '../shared/lost-race';
import { HANDED_OVER_RECHECK_MS } from './poller';
import {
  emptyCounts,
  pollerState,
  shardId,
  shardPrefix,
  type IngestionSource,
  type Position,
  type ShardState,
} from './model';

/**
 * The ingestion control operations of OpenSearch (reference §4.4) over the shard items the
 * poller works on: register an index's shards, pause, resume (with resets), and the state.
 */
export interface ResolvedIndex {
  readonly name: string;
  readonly shards: number;
  /** `index.uuid`: tells this index from an earlier one of the same name. */
  readonly uuid?: string;
  /** `index.ingestion_source.type` on the cluster: the cluster ingests this index itself. */
  readonly nativeSource?: string;
}

export interface IndexResolver {
  /**
   * Concrete indices of a comma list with wildcards, as the cluster resolves them.
   * @throws OpenSearchError 404 index_not_found_exception as the cluster answers it
   */
  resolve(
    expression: string,
    options: Readonly<Record<string, string | undefined>>,
  ): Promise<ResolvedIndex[]>;
}

/** What GET _settings needs of a registered index. */
export interface Registration {
  readonly source: IngestionSource;
  readonly indexUuid?: string;
}

export interface ShardFailure {
  shard: number;
  error: string;
}

export interface AckResponse {
  acknowledged: boolean;
  shards_acknowledged: boolean;
  failures?: Record<string, ShardFailure[]>;
  error?: string;
}

export interface ResetSetting {
  shard: number;
  mode: 'OFFSET' | 'TIMESTAMP';
  value: string;
}

export interface ShardStateView {
  shard: number;
  poller_state: string;
  error_policy: string;
  poller_paused: boolean;
  write_block_enabled: boolean;
  batch_start_pointer?: string;
  is_primary: boolean;
  /** Not in OpenSearch: why the shard stopped under BLOCK, or why its last run failed. */
  error?: string;
  /** Not in OpenSearch: the index this one hands (or handed) its stream to at a rollover. */
  handed_over_to?: string;
  /** Not in OpenSearch: whether that handover is complete (false while the rollover runs). */
  handover_complete?: boolean;
  /** Not in OpenSearch: the index this one took its stream over from at a rollover. */
  taken_over_from?: string;
}

export interface StateResponse {
  _shards: {
    total: number;
    successful: number;
    failed: number;
    failures?: { shard: number; index: string; status: string; reason: { type: string; reason: string } }[];
  };
  next_page_token?: string;
  ingestion_state: Record<string, ShardStateView[]>;
}

/** Up to this many indices are looked up one by one; more, with one query of all ingesting shards. */
const REGISTERED_LOOKUPS = 16;

const notIngesting = (index: string): string => `index [${index}] does not ingest from a stream`;

/** Parses the resume body with OpenSearch's messages (ResumeIngestionRequest.fromXContent). */
export const parseResumeBody = (body: unknown): ResetSetting[] => {
  if (body === undefined) return [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw illegalArgument('request body must be a JSON object');
  }
  const resets: ResetSetting[] = [];
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key !== 'reset_settings') throw illegalArgument(`Unexpected field: ${key}`);
    if (!Array.isArray(value)) throw illegalArgument("Expected START_ARRAY for 'reset_settings'");
    for (const entry of value) {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        throw illegalArgument('Missing required fields in ResetSettings: shard=-1, mode=null, value=null');
      }
      let shard = -1;
      let mode: string | null = null;
      let val: string | null = null;
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (k === 'shard') {
          if (typeof v !== 'number' || !Number.isInteger(v))
            throw illegalArgument(`Invalid value for 'shard': ${String(v)}`);
          shard = v;
        } else if (k === 'mode') {
          const m = String(v).toUpperCase();
          if (m !== 'OFFSET' && m !== 'TIMESTAMP')
            throw illegalArgument(`Invalid value for 'mode': ${String(v)}`);
          mode = m;
        } else if (k === 'value') val = v === null ? null : String(v);
        else throw illegalArgument(`Unexpected field in ResetSettings: ${k}`);
      }
      if (shard < 0 || mode === null || val === null) {
        throw illegalArgument(
          `Missing required fields in ResetSettings: shard=${shard}, mode=${mode}, value=${val}`,
        );
      }
      resets.push({ shard, mode: mode as ResetSetting['mode'], value: val });
    }
  }
  return resets;
};

interface PageToken {
  i: string;
  s: number;
}

const encodeToken = (t: PageToken): string => Buffer.from(JSON.stringify(t)).toString('base64url');
const decodeToken = (raw: string): PageToken => {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as PageToken;
    if (typeof t.i === 'string' && typeof t.s === 'number') return t;
  } catch {
    // fall through
  }
  throw illegalArgument(`invalid next_token [${raw}]`);
};

export class IngestionService {
  constructor(
    private readonly store: JobStore<ShardState>,
    private readonly clock: Clock,
    /** `batch_start_pointer`: the source's text of a position (see ShardConsumer.describe). */
    private readonly describe: (state: ShardState) => string | undefined,
  ) {}

  /**
   * Registers the shards of a newly created index; stale items of an earlier index of that
   * name (deleted on the cluster behind our back) are replaced.
   */
  async register(
    index: string,
    routings: readonly (string | undefined)[],
    source: IngestionSource,
    indexUuid?: string,
  ): Promise<void> {
    for (const old of await this.store.list(shardPrefix(index))) await this.store.delete(old.id);
    const now = this.clock.now();
    for (let shard = 0; shard < routings.length; shard++) {
      const state: ShardState = {
        index,
        shard,
        source,
        routing: routings[shard],
        position: source.pointerInitReset,
        paused: false,
        counts: emptyCounts(),
        ...(indexUuid ? { indexUuid } : {}),
      };
      await this.store.create(shardId(index, shard), state, now);
    }
  }

  /**
   * A poller's batch was indexed but its checkpoint lost the race against a pause or resume:
   * the shard takes the acknowledged position (so that it never lags behind what the index
   * holds, which a rollover handover relies on) unless its position was changed meanwhile
   * (a resume with `reset_settings`), and the dead lease goes so that nobody waits for it.
   */
  async keepAcknowledged(held: JobRecord<ShardState>, acknowledged: ShardState): Promise<void> {
    const base = JSON.stringify(held.state.position);
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.store.get(held.id);
      if (!current || current.leaseOwner !== held.leaseOwner) return;
      if (JSON.stringify(current.state.position) === base && !current.state.handover) {
        const state: ShardState = {
          ...current.state,
          position: acknowledged.position,
          counts: acknowledged.counts,
          polledAt: acknowledged.polledAt,
        };
        try {
          await this.store.update(held.id, current.rev, state, current.dueAt ?? null);
        } catch (e) {
          if (e instanceof StaleJobError) continue;
          throw e;
        }
      }
      await this.store.release({ ...current, leaseOwner: held.leaseOwner });
      return;
    }
  }

  async unregister(index: string): Promise<void> {
    for (const old of await this.store.list(shardPrefix(index))) await this.store.delete(old.id);
  }

  /** What an index was registered with: one item read (shard 0 exists for every registered index). */
  async registration(index: string): Promise<Registration | undefined> {
    const state = (await this.store.get(shardId(index, 0)))?.state;
    return state && { source: state.source, indexUuid: state.indexUuid };
  }

  /**
   * The sources of those of `indices` that are registered: one item read each, or for a long
   * list (GET /_settings of a whole cluster) one query of the ingesting shards instead.
   */
  async registrations(indices: readonly string[]): Promise<Map<string, Registration>> {
    const found = new Map<string, Registration>();
    if (indices.length > REGISTERED_LOOKUPS) {
      const wanted = new Set(indices);
      for (const { state } of await this.store.list()) {
        if (state.shard === 0 && wanted.has(state.index)) {
          found.set(state.index, { source: state.source, indexUuid: state.indexUuid });
        }
      }
      return found;
    }
    const sources = await Promise.all(indices.map((name) => this.registration(name)));
    indices.forEach((name, i) => {
      const source = sources[i];
      if (source) found.set(name, source);
    });
    return found;
  }

  async shards(index: string): Promise<JobRecord<ShardState>[]> {
    return (await this.store.list(shardPrefix(index))).sort((a, b) => a.state.shard - b.state.shard);
  }

  /** Applies `change` to a shard whatever the poller does meanwhile (retrying on its checkpoints). */
  private async mutate(
    id: string,
    change: (s: ShardState) => { state: ShardState; dueAt: Schedule },
  ): Promise<void> {
    // Many pauses or resumes at once, and the poller's checkpoints, each read again after a lost
    // race (with back-off); a change that changes nothing (a second pause) writes nothing.
    await retryLostRaces(
      async () => {
        const current = await this.store.get(id);
        if (!current) throw new Error(`shard ${id} is gone`);
        const next = change(current.state);
        if (isDeepStrictEqual(next.state, current.state) && (next.dueAt ?? undefined) === current.dueAt)
          return;
        await this.store.update(id, current.rev, next.state, next.dueAt);
      },
      { isLostRace: (e) => e instanceof StaleJobError },
    );
  }

  async pause(indices: readonly ResolvedIndex[]): Promise<AckResponse> {
    return this.setPaused(indices, true, []);
  }

  async resume(indices: readonly ResolvedIndex[], resets: readonly ResetSetting[]): Promise<AckResponse> {
    return this.setPaused(indices, false, resets);
  }

  private async setPaused(
    indices: readonly ResolvedIndex[],
    paused: boolean,
    resets: readonly ResetSetting[],
  ): Promise<AckResponse> {
    if (indices.length === 0) return { acknowledged: true, shards_acknowledged: false };
    const failures: Record<string, ShardFailure[]> = {};
    const fail = (index: string, f: ShardFailure): void => {
      (failures[index] ??= []).push(f);
    };
    const plan: { id: string; reset?: Position }[] = [];
    for (const index of indices) {
      const shards = await this.shards(index.name);
      if (shards.length === 0) {
        for (let s = 0; s < index.shards; s++)
          fail(index.name, { shard: s, error: notIngesting(index.name) });
        continue;
      }
      for (const reset of resets) {
        const shard = shards.find((r) => r.state.shard === reset.shard);
        if (!shard)
          fail(index.name, {
            shard: reset.shard,
            error: `shard [${reset.shard}] does not exist in index [${index.name}]`,
          });
        else {
          const problem = this.checkReset(shard.state, reset);
          if (problem) fail(index.name, { shard: reset.shard, error: problem });
        }
      }
      for (const shard of shards) {
        const handover = shard.state.handover;
        if (!paused && handover) {
          // Its stream belongs to the new index now: resuming here would index it twice.
          fail(index.name, {
            shard: shard.state.shard,
            error: `index [${index.name}] ${handover.complete ? 'handed' : 'is handing'} its stream over to [${handover.to}] at a rollover; resume [${handover.to}] instead`,
          });
          continue;
        }
        const reset = resets.find((r) => r.shard === shard.state.shard);
        plan.push({ id: shard.id, reset: reset && this.resetPosition(reset) });
      }
    }
    // As OpenSearch: the resume runs only if every reset could be applied.
    if (Object.keys(failures).length > 0 && resets.length > 0) {
      return { acknowledged: false, shards_acknowledged: false, failures };
    }
    const now = this.clock.now();
    for (const { id, reset } of plan) {
      await this.mutate(id, (s) => ({
        state: paused
          ? { ...s, paused: true }
          : { ...s, paused: false, error: undefined, position: reset ?? s.position },
        // A shard that handed its stream over still looks now and then whether its index is gone.
        dueAt: paused ? (s.handover?.complete ? now + HANDED_OVER_RECHECK_MS : null) : now,
      }));
    }
    const ok = Object.keys(failures).length === 0;
    return { acknowledged: true, shards_acknowledged: ok, ...(ok ? {} : { failures }) };
  }

  private checkReset(state: ShardState, reset: ResetSetting): string | undefined {
    if (reset.mode === 'TIMESTAMP' && !/^\d+$/.test(reset.value)) {
      return `timestamp [${reset.value}] must be epoch milliseconds`;
    }
    if (reset.mode === 'OFFSET' && state.source.type !== 'kinesis' && !/^\d+$/.test(reset.value)) {
      return `offset [${reset.value}] must be a non-negative integer for a ${state.source.type} source`;
    }
    return undefined;
  }

  private resetPosition(reset: ResetSetting): Position {
    return reset.mode === 'OFFSET'
      ? { at: 'offset', value: reset.value }
      : { at: 'timestamp', value: Number(reset.value) };
  }

  view(record: JobRecord<ShardState>): ShardStateView {
    const s = record.state;
    const pointer = this.describe(s);
    return {
      shard: s.shard,
      poller_state: pollerState(s),
      error_policy: s.source.errorStrategy,
      poller_paused: s.paused || s.handover !== undefined,
      write_block_enabled: s.writeBlocked ?? false,
      ...(pointer ? { batch_start_pointer: pointer } : {}),
      is_primary: true,
      ...(s.error || s.lastError ? { error: s.error ?? s.lastError } : {}),
      ...(s.handover ? { handed_over_to: s.handover.to, handover_complete: s.handover.complete } : {}),
      ...(s.takenOverFrom ? { taken_over_from: s.takenOverFrom } : {}),
    };
  }

  async state(
    indices: readonly ResolvedIndex[],
    page: { size: number; nextToken?: string; sort: 'asc' | 'desc'; shards?: number[] },
  ): Promise<StateResponse> {
    const after = page.nextToken ? decodeToken(page.nextToken) : undefined;
    const dir = page.sort === 'asc' ? 1 : -1;
    const ordered = [...indices].sort((a, b) => dir * a.name.localeCompare(b.name));
    const pairs: JobRecord<ShardState>[] = [];
    const failures: NonNullable<StateResponse['_shards']['failures']> = [];
    for (const index of ordered) {
      const shards = await this.shards(index.name);
      if (shards.length === 0 && !after) {
        for (let s = 0; s < index.shards; s++) {
          if (page.shards && !page.shards.includes(s)) continue;
          failures.push({
            shard: s,
            index: index.name,
            status: 'BAD_REQUEST',
            reason: { type: 'illegal_argument_exception', reason: notIngesting(index.name) },
          });
        }
      }
      const sorted = dir === 1 ? shards : [...shards].reverse();
      pairs.push(...sorted.filter((r) => !page.shards || page.shards.includes(r.state.shard)));
    }
    const cmp = (r: JobRecord<ShardState>, t: PageToken): number =>
      dir * (r.state.index.localeCompare(t.i) || r.state.shard - t.s);
    const rest = after ? pairs.filter((r) => cmp(r, after) > 0) : pairs;
    const pageItems = rest.slice(0, page.size);
    const ingestion_state: Record<string, ShardStateView[]> = {};
    for (const r of pageItems) (ingestion_state[r.state.index] ??= []).push(this.view(r));
    const last = pageItems[pageItems.length - 1];
    return {
      _shards: {
        total: pageItems.length + failures.length,
        successful: pageItems.length,
        failed: failures.length,
        ...(failures.length ? { failures } : {}),
      },
      ...(rest.length > page.size && last
        ? { next_page_token: encodeToken({ i: last.state.index, s: last.state.shard }) }
        : {}),
      ingestion_state,
    };
  }
}

export const validationError = (message: string): OpenSearchError =>
  new OpenSearchError(400, 'action_request_validation_exception', `Validation Failed: 1: ${message};`);
