/**
 * Sets up, untimed, the state each cold start of bench/run.ts needs (the `needs` of
 * bench/cold-start-cases.ts), through the real handlers invoked in this process with their
 * sample events wherever the API can do it (create the policy a GET reads, delete the one a
 * create makes, pause the index a resume resumes). What the API cannot make is made directly:
 * the cluster's sample indices, the rolled-up index a rollup search reads (the rollup runner's
 * own code, once), and a managed index whose action failed out of retries (what a retry is for).
 */
import type { Client } from '@opensearch-project/opensearch';
import { documentClient } from '../lambdas/shared/dynamo';
import { ManualClock } from '../lambdas/shared/clock';
import { runDue } from '../lambdas/shared/jobs/run-due';
import type { ApiEvent, ApiResult } from '../lambdas/shared/http';
import { managedStore } from '../lambdas/ism/managed-deps';
import type { ManagedIndex } from '../lambdas/ism/managed-index/model';
import { RollupService } from '../lambdas/rollup/rollup-service';
import { rollupWork } from '../lambdas/rollup/runner/runner';
import {
  NYC_TAXI_ROLLUP,
  SAMPLE_INGEST_INDEX,
  SAMPLE_ISM_INDEX,
  SAMPLE_ROLLOVER_ALIAS,
} from '../local/make-events';
import { ensureTable } from '../local/table';
import { startWebhookReceiver, type WebhookReceiver } from '../test/support/webhook-receiver';
import type { Need } from './cold-start-cases';

export interface FixtureDeps {
  /** Invokes an operation's handler in this process. */
  invoke(operation: string, event: ApiEvent): Promise<ApiResult>;
  /** The operation's sample event (events/<operation>.json). */
  sample(operation: string): ApiEvent;
  /** A client of the cluster the handlers use. */
  client(): Promise<Client>;
  /** The control-plane table the handlers use. */
  tableName: string;
}

/** Query parameters a need sets on the run's event (a fresh document's seq_no and primary term). */
export type EventQuery = Record<string, string>;

type Json = Record<string, unknown>;

const bodyOf = (res: ApiResult): Json => {
  const text = typeof res.body === 'string' ? res.body : '';
  if (text === '') return {};
  return JSON.parse(res.isBase64Encoded ? Buffer.from(text, 'base64').toString() : text) as Json;
};

const withBody = (event: ApiEvent, body: unknown): ApiEvent => {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = { ...event.headers };
  if (text === undefined) delete headers['content-length'];
  else headers['content-length'] = String(Buffer.byteLength(text));
  return { ...event, body: text, isBase64Encoded: false, headers };
};

const HOUR = 3_600_000;

export class Fixtures {
  private readonly once = new Map<string, Promise<void>>();
  private receiver?: Promise<WebhookReceiver>;

  constructor(private readonly deps: FixtureDeps) {}

  /** Sets up every need, in order; returns the query parameters they set on the event, if any. */
  async prepare(needs: readonly Need[]): Promise<EventQuery | undefined> {
    let query: EventQuery | undefined;
    for (const need of needs) {
      const set = await this.setUp(need);
      if (set) query = { ...query, ...set };
    }
    return query;
  }

  async close(): Promise<void> {
    if (this.receiver) await (await this.receiver).close();
  }

  private async setUp(need: Need): Promise<EventQuery | void> {
    switch (need) {
      case 'ism-policy':
        return void (await this.call('ism.put_policy', [201, 409]));
      case 'no-ism-policy':
        return void (await this.call('ism.delete_policy', [200, 404]));
      case 'ism-running':
        return void (await this.call('ism.start', [200]));
      case 'ism-stopped':
        return void (await this.call('ism.stop', [200]));

      case 'logs-index':
        return this.onceOnly(need, () => this.createLogsIndex());
      case 'logs-unmanaged':
        await this.setUp('logs-index');
        // Answers 200 either way; `failures` says whether the index had a policy.
        return void (await this.call('ism.remove_policy', [200]));
      case 'logs-managed': {
        await this.setUp('ism-policy');
        await this.setUp('logs-unmanaged');
        const added = await this.call('ism.add_policy', [200]);
        if (added.updated_indices !== 1) throw new Error(`add_policy: ${JSON.stringify(added)}`);
        return;
      }
      case 'logs-failed':
        await this.setUp('logs-managed');
        return this.failRollover();

      case 'sm-policy':
        return void (await this.call('sm.create_policy', [201, 409]));
      case 'no-sm-policy':
        return void (await this.call('sm.delete_policy', [200, 404]));
      case 'fresh-sm-policy': {
        await this.setUp('no-sm-policy');
        const created = await this.call('sm.create_policy', [201]);
        return { if_seq_no: String(created._seq_no), if_primary_term: String(created._primary_term) };
      }
      case 'sm-policy-started':
        await this.setUp('sm-policy');
        return void (await this.call('sm.start_policy', [200]));
      case 'sm-policy-stopped':
        await this.setUp('sm-policy');
        return void (await this.call('sm.stop_policy', [200]));

      case 'channel': {
        // Re-created each time: a run of create_config or update_config leaves the sample's URL.
        await this.setUp('no-channel');
        const receiver = await (this.receiver ??= startWebhookReceiver());
        const event = this.deps.sample('notifications.create_config');
        const body = JSON.parse(event.body ?? '{}') as { config: { webhook: { url: string } } };
        body.config.webhook.url = receiver.url('/notifications');
        return void (await this.call('notifications.create_config', [200], withBody(event, body)));
      }
      case 'no-channel':
        return void (await this.call('notifications.delete_config', [200, 404]));

      case 'rollup-job':
        return void (await this.call('rollups.put', [201, 409]));
      case 'no-rollup-job':
        return void (await this.call('rollups.delete', [200, 404]));
      case 'rollup-job-started':
        await this.setUp('rollup-job');
        return void (await this.call('rollups.start', [200]));
      case 'rollup-job-stopped':
        await this.setUp('rollup-job');
        return void (await this.call('rollups.stop', [200]));
      case 'rollup-index':
        return this.onceOnly(need, () => this.buildRollupIndex());

      case 'transform-job':
        await this.setUp('rollup-index');
        return void (await this.call('transforms.put', [201, 409]));
      case 'no-transform-job':
        return void (await this.call('transforms.delete', [200], {
          ...this.deps.sample('transforms.delete'),
          queryStringParameters: { force: 'true' },
          rawQueryString: 'force=true',
        }));
      case 'transform-job-started':
        await this.setUp('transform-job');
        return void (await this.call('transforms.start', [200]));
      case 'transform-job-stopped':
        await this.setUp('transform-job');
        return void (await this.call('transforms.stop', [200]));

      case 'no-orders-index': {
        const client = await this.deps.client();
        await client.indices.delete({ index: SAMPLE_INGEST_INDEX, ignore_unavailable: true } as never);
        return;
      }
      case 'orders-ingesting': {
        await this.ensureOrdersIndex();
        // A plain resume (the sample's reset_settings would move the pointer back each time).
        const resume = withBody(this.deps.sample('ingestion.resume'), undefined);
        return void (await this.call('ingestion.resume', [200], resume));
      }
      case 'orders-paused':
        await this.ensureOrdersIndex();
        return void (await this.call('ingestion.pause', [200]));

      case 'cluster':
        return;
    }
  }

  /** Invokes `operation` with its sample event (or `event`); any status but `ok` is a set-up failure. */
  private async call(operation: string, ok: number[], event?: ApiEvent): Promise<Json> {
    const res = await this.deps.invoke(operation, event ?? this.deps.sample(operation));
    const status = res.statusCode ?? 200;
    if (!ok.includes(status)) {
      throw new Error(
        `${operation}: status ${status} (wanted ${ok.join('/')}): ${String(res.body).slice(0, 400)}`,
      );
    }
    return bodyOf(res);
  }

  private onceOnly(key: string, make: () => Promise<void>): Promise<void> {
    let done = this.once.get(key);
    if (!done) {
      done = make();
      done.catch(() => this.once.delete(key));
      this.once.set(key, done);
    }
    return done;
  }

  /** `logs-000001`, the write index of the `logs` alias, as a rollover-managed index starts. */
  private async createLogsIndex(): Promise<void> {
    const client = await this.deps.client();
    await client.indices.delete({ index: `${SAMPLE_ROLLOVER_ALIAS}-*`, ignore_unavailable: true } as never);
    await client.indices.create({
      index: SAMPLE_ISM_INDEX,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        aliases: { [SAMPLE_ROLLOVER_ALIAS]: { is_write_index: true } },
      } as never,
    });
  }

  /** The managed sample index's rollover failed out of its retries, as the runner leaves it. */
  private async failRollover(): Promise<void> {
    const store = managedStore();
    const record = (await store.list()).find((r) => r.state.index === SAMPLE_ISM_INDEX);
    if (!record) throw new Error(`${SAMPLE_ISM_INDEX} is not managed`);
    const m = record.state;
    const now = Date.now();
    const failed: ManagedIndex = {
      ...m,
      // The runner disables a failed index's job until a retry.
      enabled: false,
      enabled_time: null,
      metadata: {
        index: m.index,
        index_uuid: m.index_uuid,
        policy_id: m.policy_id,
        policy_seq_no: m.policy_seq_no,
        policy_primary_term: m.policy_primary_term,
        index_creation_date: now,
        state: { name: 'hot', start_time: now },
        action: {
          name: 'rollover',
          start_time: now,
          index: 0,
          failed: true,
          consumed_retries: 3,
          last_retry_time: now,
        },
        step: { name: 'attempt_rollover', start_time: now, step_status: 'failed' },
        retry_info: { failed: true, consumed_retries: 3 },
        info: { message: `Failed to rollover index [index=${m.index}]` },
      },
    };
    await store.update(record.id, record.rev, failed, null);
  }

  /**
   * The sample rollup job's target index (`rollup-nyc-taxi-data`), rolled up by the rollup
   * runner from a small `nyc-taxi-data`. The job that makes it lives in a table of its own, so
   * that the rollups.* runs see only the sample job.
   */
  private async buildRollupIndex(): Promise<void> {
    const client = await this.deps.client();
    const job = NYC_TAXI_ROLLUP.rollup;
    await client.indices.delete({ index: job.target_index, ignore_unavailable: true } as never);
    await client.indices.delete({ index: job.source_index, ignore_unavailable: true } as never);
    await client.indices.create({
      index: job.source_index,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          properties: {
            tpep_pickup_datetime: { type: 'date' },
            PULocationID: { type: 'integer' },
            passenger_count: { type: 'integer' },
          },
        },
      } as never,
    });
    const t0 = Date.UTC(2019, 0, 1);
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) {
      lines.push('{"index":{}}');
      lines.push(
        JSON.stringify({
          tpep_pickup_datetime: t0 + (i % 48) * HOUR + i * 1000,
          PULocationID: [132, 138, 161, 236, 237][i % 5],
          passenger_count: 1 + (i % 4),
        }),
      );
    }
    const bulk = await client.bulk({
      index: job.source_index,
      refresh: 'true',
      body: `${lines.join('\n')}\n` as never,
    });
    if ((bulk.body as { errors: boolean }).errors) throw new Error('loading nyc-taxi-data failed');

    const table = `${this.deps.tableName}-rollup-fixture`;
    await ensureTable(table);
    const { jobs, runs } = RollupService.stores(documentClient(), table);
    const service = new RollupService(jobs, runs, new ManualClock(Date.now()));
    const id = 'bench-search-fixture';
    await service.put(
      id,
      { rollup: { ...job, schedule: { interval: { period: 1, unit: 'Minutes' } } } },
      undefined,
      undefined,
    );
    const clock = new ManualClock(Date.now() + 2 * HOUR);
    for (let i = 0; i < 20; i++) {
      await runDue({ store: runs, clock, work: rollupWork({ service, client: async () => client }) });
      const status = (await runs.get(id))?.state.metadata?.status;
      if (status === 'finished') return;
      if (status === 'failed') break;
    }
    throw new Error(
      `the rollup fixture did not finish: ${JSON.stringify((await runs.get(id))?.state.metadata)}`,
    );
  }

  private async ensureOrdersIndex(): Promise<void> {
    const client = await this.deps.client();
    const exists = await client.indices.exists({ index: SAMPLE_INGEST_INDEX });
    if (!exists.body) await this.call('indices.create', [200]);
  }
}
