import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CatalogueEntry } from './catalogue';
import { sendJson } from './http-client';
import { CASE_HEADER, takeClusterStatuses, takeWrites } from './observer';

/**
 * The concurrency phase: every state-changing operation of the route table, `callers` requests
 * at once on the same item (and creates on as many different items), checking what a user would
 * see:
 *
 * - no 5xx;
 * - of conditional writes on one version (a create of one id, an update with one
 *   `if_seq_no`/`if_primary_term`, a delete), exactly one wins and the others get the 409 or 404
 *   OpenSearch gives;
 * - no lost update: what is stored afterwards is the winner's write, or for writes with no version
 *   check (the last writer wins: switches, cluster settings, notification updates) one caller's
 *   whole write, as some serial order of the accepted calls leaves it;
 * - `_seq_no` strictly increasing over successive winners.
 *
 * Every state-changing operation of the table must have a scenario here (a new one fails the run
 * until it gets one).
 */
export interface ConcurrencyResult {
  readonly calls: number;
  readonly scenarios: number;
  readonly fiveXx: number;
  readonly lostUpdates: number;
  /** 5xx answers that are the cluster's own, passed on (concurrent rollovers of one alias). */
  readonly clusterErrors: number;
  readonly problems: readonly string[];
}

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The statuses the cluster answered the requests made on this call's behalf with. */
  clusterAnswered?: number[];
}

interface Context {
  readonly api: (method: string, path: string, body?: unknown) => Promise<Reply>;
  readonly cluster: (method: string, path: string, body?: unknown) => Promise<Reply>;
  readonly callers: number;
  readonly sample: (operation: string) => unknown;
  /** Records a problem; `lost` when it is a lost update. */
  readonly problem: (text: string, lost?: boolean) => void;
  /** Runs the callers at once; counts them and their 5xx. */
  readonly together: (call: (i: number) => Promise<Reply>) => Promise<Reply[]>;
}

interface Scenario {
  /** Operations of the route table it exercises. */
  readonly covers: readonly string[];
  readonly name: string;
  readonly run: (ctx: Context) => Promise<void>;
}

const statusLine = (replies: readonly Reply[]): string => {
  const byStatus = new Map<number, number>();
  for (const r of replies) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  return [...byStatus].map(([s, n]) => `${n}×${s}`).join(' ');
};

/** One 2xx, the rest the losers' status: the winner's index, or a problem. */
const oneWinner = (ctx: Context, what: string, replies: Reply[], win: number[], lose: number[]): number => {
  const winners = replies.flatMap((r, i) => (win.includes(r.status) ? [i] : []));
  const others = replies.filter((r) => !win.includes(r.status) && !lose.includes(r.status));
  if (winners.length !== 1 || others.length) {
    ctx.problem(
      `${what}: expected 1 winner and ${replies.length - 1} × ${lose.join('/')}, got ${statusLine(replies)}`,
    );
  }
  return winners[0] ?? -1;
};

const withDescription = (sample: unknown, key: string | undefined, description: string): unknown => {
  const body = structuredClone(sample) as Record<string, Record<string, unknown>>;
  const doc = key ? body[key] : (body as Record<string, unknown>);
  doc.description = description;
  // The sample policy's template would overlap the fixture's own (a 400, not a race).
  delete doc.ism_template;
  return body;
};

/**
 * The document namespaces with seq_no: create, conditional update (rounds), delete, each with
 * `callers` at once, and `callers` creates of different ids.
 */
const documentScenario = (spec: {
  name: string;
  create: string;
  update: string;
  remove: string;
  createMethod: 'PUT' | 'POST';
  base: string;
  /** Where the body keeps its description (`policy`, `rollup`...), undefined at the top. */
  bodyKey: string | undefined;
  /** Where the GET answer keeps the stored document. */
  readKey: string;
  /** A delete answers 200 whatever it found, and says in its body whether it deleted. */
  deletedInBody?: boolean;
}): Scenario => ({
  covers: [spec.create, spec.update, spec.remove],
  name: spec.name,
  run: async (ctx) => {
    const sample = ctx.sample(spec.create);
    const id = `conc-${spec.name}`;
    const url = `${spec.base}/${id}`;
    const created = await ctx.together((i) =>
      ctx.api(spec.createMethod, url, withDescription(sample, spec.bodyKey, `caller ${i}`)),
    );
    const winner = oneWinner(ctx, `${spec.name} create`, created, [200, 201], [409]);
    let current = await ctx.api('GET', url);
    const description = (r: Reply): unknown => r.body?.[spec.readKey]?.description;
    if (winner >= 0 && description(current) !== `caller ${winner}`) {
      ctx.problem(
        `${spec.name} create: stored "${String(description(current))}", the winner was caller ${winner}`,
        true,
      );
    }
    let lastSeqNo = current.body?._seq_no as number;
    for (let round = 0; round < 3; round++) {
      const { _seq_no: seqNo, _primary_term: term } = current.body as {
        _seq_no: number;
        _primary_term: number;
      };
      const updated = await ctx.together((i) =>
        ctx.api(
          'PUT',
          `${url}?if_seq_no=${seqNo}&if_primary_term=${term}`,
          withDescription(sample, spec.bodyKey, `round ${round} caller ${i}`),
        ),
      );
      const won = oneWinner(ctx, `${spec.name} update on seq_no ${seqNo}`, updated, [200], [409]);
      current = await ctx.api('GET', url);
      if (won >= 0 && description(current) !== `round ${round} caller ${won}`) {
        ctx.problem(
          `${spec.name} update: stored "${String(description(current))}", the winner was round ${round} caller ${won}`,
          true,
        );
      }
      const seq = current.body?._seq_no as number;
      if (!(seq > lastSeqNo))
        ctx.problem(`${spec.name} update: _seq_no ${seq} after ${lastSeqNo}, not increasing`);
      lastSeqNo = seq;
    }
    const removed = await ctx.together(() => ctx.api('DELETE', url));
    if (spec.deletedInBody) {
      // The transform delete answers 200 with a bulk item per id: one of them says deleted.
      const deleted = removed.filter((r) => JSON.stringify(r.body).includes('"result":"deleted"')).length;
      if (deleted !== 1 || removed.some((r) => r.status !== 200)) {
        ctx.problem(`${spec.name} delete: ${deleted} deleted, ${statusLine(removed)}`);
      }
    } else oneWinner(ctx, `${spec.name} delete`, removed, [200], [404]);
    if ((await ctx.api('GET', url)).status !== 404) ctx.problem(`${spec.name} delete: still there`, true);
    const many = await ctx.together((i) =>
      ctx.api(spec.createMethod, `${url}-${i}`, withDescription(sample, spec.bodyKey, `caller ${i}`)),
    );
    if (many.some((r) => r.status !== 200 && r.status !== 201)) {
      ctx.problem(`${spec.name}: creates of different ids: ${statusLine(many)}`);
    }
    await Promise.all(many.map((_, i) => ctx.api('DELETE', `${url}-${i}`)));
  },
});

/** A switch (start/stop), turned by every caller at once, both ways: all 200, ends where asked. */
const switchScenario = (spec: {
  name: string;
  covers: [string, string];
  prepare: (ctx: Context) => Promise<void>;
  on: string;
  off: string;
  /** Reads whether it is on. */
  read: (ctx: Context) => Promise<boolean>;
}): Scenario => ({
  covers: spec.covers,
  name: spec.name,
  run: async (ctx) => {
    await spec.prepare(ctx);
    for (const [path, want] of [
      [spec.off, false],
      [spec.on, true],
    ] as const) {
      const replies = await ctx.together(() => ctx.api('POST', path));
      if (replies.some((r) => r.status !== 200)) ctx.problem(`${spec.name} ${path}: ${statusLine(replies)}`);
      if ((await spec.read(ctx)) !== want)
        ctx.problem(`${spec.name} ${path}: not ${want ? 'on' : 'off'} afterwards`, true);
    }
    const mixed = await ctx.together((i) => ctx.api('POST', i % 2 ? spec.on : spec.off));
    if (mixed.some((r) => r.status !== 200)) ctx.problem(`${spec.name} mixed: ${statusLine(mixed)}`);
  },
});

const scenarios = (workDir: string): Scenario[] => [
  documentScenario({
    name: 'ism-policy',
    create: 'ism.put_policy',
    update: 'ism.put_policy',
    remove: 'ism.delete_policy',
    createMethod: 'PUT',
    base: '/_plugins/_ism/policies',
    bodyKey: 'policy',
    readKey: 'policy',
  }),
  documentScenario({
    name: 'sm-policy',
    create: 'sm.create_policy',
    update: 'sm.update_policy',
    remove: 'sm.delete_policy',
    createMethod: 'POST',
    base: '/_plugins/_sm/policies',
    bodyKey: undefined,
    readKey: 'sm_policy',
  }),
  documentScenario({
    name: 'rollup',
    create: 'rollups.put',
    update: 'rollups.put',
    remove: 'rollups.delete',
    createMethod: 'PUT',
    base: '/_plugins/_rollup/jobs',
    bodyKey: 'rollup',
    readKey: 'rollup',
  }),
  documentScenario({
    name: 'transform',
    create: 'transforms.put',
    update: 'transforms.put',
    remove: 'transforms.delete',
    createMethod: 'PUT',
    base: '/_plugins/_transform',
    bodyKey: 'transform',
    readKey: 'transform',
    deletedInBody: true,
  }),
  {
    name: 'notification-config',
    covers: [
      'notifications.create_config',
      'notifications.update_config',
      'notifications.delete_config',
      'notifications.delete_configs',
    ],
    run: async (ctx) => {
      const base = '/_plugins/_notifications/configs';
      const config = (i: number) => ({
        name: 'conc',
        description: `caller ${i}`,
        config_type: 'webhook',
        is_enabled: true,
        webhook: { url: 'https://example.com/hook' },
      });
      const created = await ctx.together((i) =>
        ctx.api('POST', base, { config_id: 'conc-config', config: config(i) }),
      );
      const winner = oneWinner(ctx, 'notification create', created, [200], [409]);
      const stored = async () =>
        (await ctx.api('GET', `${base}/conc-config`)).body?.config_list?.[0]?.config?.description;
      if (winner >= 0 && (await stored()) !== `caller ${winner}`)
        ctx.problem('notification create: not the winner stored', true);
      // No version check on update: each caller wins in turn, the last one stays.
      const updated = await ctx.together((i) =>
        ctx.api('PUT', `${base}/conc-config`, { config: config(100 + i) }),
      );
      if (updated.some((r) => r.status !== 200)) ctx.problem(`notification update: ${statusLine(updated)}`);
      const last = await stored();
      if (!Array.from({ length: ctx.callers }, (_, i) => `caller ${100 + i}`).includes(last)) {
        ctx.problem(`notification update: stored "${String(last)}", no caller's`, true);
      }
      oneWinner(
        ctx,
        'notification delete',
        await ctx.together(() => ctx.api('DELETE', `${base}/conc-config`)),
        [200],
        [404],
      );
      await ctx.api('POST', base, { config_id: 'conc-config', config: config(0) });
      oneWinner(
        ctx,
        'notification delete (list)',
        await ctx.together(() => ctx.api('DELETE', `${base}?config_id_list=conc-config`)),
        [200],
        [404],
      );
    },
  },
  switchScenario({
    name: 'ism-switch',
    covers: ['ism.start', 'ism.stop'],
    prepare: async () => undefined,
    on: '/_plugins/_ism/start',
    off: '/_plugins/_ism/stop',
    read: async (ctx) => (await ctx.api('GET', '/_plugins/_ism/status')).body?.enabled === true,
  }),
  switchScenario({
    name: 'sm-start-stop',
    covers: ['sm.start_policy', 'sm.stop_policy'],
    prepare: async (ctx) => {
      await ctx.api('POST', '/_plugins/_sm/policies/conc-sm-switch', ctx.sample('sm.create_policy'));
    },
    on: '/_plugins/_sm/policies/conc-sm-switch/_start',
    off: '/_plugins/_sm/policies/conc-sm-switch/_stop',
    read: async (ctx) =>
      (await ctx.api('GET', '/_plugins/_sm/policies/conc-sm-switch')).body?.sm_policy?.enabled === true,
  }),
  switchScenario({
    name: 'rollup-start-stop',
    covers: ['rollups.start', 'rollups.stop'],
    prepare: async (ctx) => {
      await ctx.api('PUT', '/_plugins/_rollup/jobs/conc-rollup-switch', ctx.sample('rollups.put'));
    },
    on: '/_plugins/_rollup/jobs/conc-rollup-switch/_start',
    off: '/_plugins/_rollup/jobs/conc-rollup-switch/_stop',
    read: async (ctx) =>
      (await ctx.api('GET', '/_plugins/_rollup/jobs/conc-rollup-switch')).body?.rollup?.enabled === true,
  }),
  switchScenario({
    name: 'transform-start-stop',
    covers: ['transforms.start', 'transforms.stop'],
    prepare: async (ctx) => {
      await ctx.api('PUT', '/_plugins/_transform/conc-transform-switch', ctx.sample('transforms.put'));
    },
    on: '/_plugins/_transform/conc-transform-switch/_start',
    off: '/_plugins/_transform/conc-transform-switch/_stop',
    read: async (ctx) =>
      (await ctx.api('GET', '/_plugins/_transform/conc-transform-switch')).body?.transform?.enabled === true,
  }),
  {
    name: 'ism-managed-index',
    covers: [
      'ism.add_policy',
      'ism.change_policy',
      'ism.update_policy',
      'ism.retry_index',
      'ism.remove_policy',
    ],
    run: async (ctx) => {
      await ctx.cluster('PUT', '/conc-managed', { settings: { number_of_replicas: 0 } });
      for (const id of ['conc-managed-p', 'conc-managed-q']) {
        await ctx.api('PUT', `/_plugins/_ism/policies/${id}`, {
          policy: {
            description: id,
            default_state: 'a',
            states: [
              { name: 'a', actions: [], transitions: [] },
              { name: 'b', actions: [], transitions: [] },
            ],
          },
        });
      }
      const managedBy = async (): Promise<unknown> =>
        (await ctx.api('GET', '/_plugins/_ism/explain/conc-managed')).body?.['conc-managed']?.[
          'index.plugins.index_state_management.policy_id'
        ];
      // ISM's add, remove, change and retry answer 200 with per-index failures: one caller adds.
      const added = await ctx.together(() =>
        ctx.api('POST', '/_plugins/_ism/add/conc-managed', { policy_id: 'conc-managed-p' }),
      );
      const adders = added.filter((r) => r.status === 200 && r.body?.updated_indices === 1).length;
      if (adders !== 1 || added.some((r) => r.status !== 200))
        ctx.problem(`ism add: ${adders} added, ${statusLine(added)}`);
      if ((await managedBy()) !== 'conc-managed-p') ctx.problem('ism add: not managed by the policy', true);
      for (const [op, path] of [
        ['change', '/_plugins/_ism/change_policy/conc-managed'],
        ['update', '/_plugins/_ism/update_policy/conc-managed'],
      ] as const) {
        const changed = await ctx.together(() =>
          ctx.api('POST', path, { policy_id: 'conc-managed-q', state: 'b' }),
        );
        if (changed.some((r) => r.status !== 200)) ctx.problem(`ism ${op}: ${statusLine(changed)}`);
      }
      const retried = await ctx.together(() => ctx.api('POST', '/_plugins/_ism/retry/conc-managed'));
      if (retried.some((r) => r.status !== 200)) ctx.problem(`ism retry: ${statusLine(retried)}`);
      const removed = await ctx.together(() => ctx.api('POST', '/_plugins/_ism/remove/conc-managed'));
      const removers = removed.filter((r) => r.status === 200 && r.body?.updated_indices === 1).length;
      if (removers !== 1 || removed.some((r) => r.status !== 200))
        ctx.problem(`ism remove: ${removers} removed, ${statusLine(removed)}`);
      // Explain, like the plugin's search of its config index, sees a removal a second later.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const after = await managedBy();
      if (after != null) ctx.problem(`ism remove: still managed by ${JSON.stringify(after)}`, true);
    },
  },
  {
    name: 'rollover',
    covers: ['indices.rollover'],
    run: async (ctx) => {
      await ctx.cluster('PUT', '/conc-roll-000001', {
        aliases: { 'conc-roll': { is_write_index: true } },
        settings: { number_of_replicas: 0 },
      });
      const rolled = await ctx.together(() => ctx.api('POST', '/conc-roll/_rollover'));
      const winners = rolled.filter((r) => r.status === 200 && r.body?.rolled_over === true).length;
      // The others lost the race for the alias: a 4xx each (409 to retry, or the new index exists).
      const losers = rolled.filter((r) => r.status === 409 || r.status === 400).length;
      if (winners !== 1 || losers !== rolled.length - 1)
        ctx.problem(`rollover: ${winners} rolled over, ${statusLine(rolled)}`);
      const indices = Object.keys((await ctx.cluster('GET', '/conc-roll-*')).body ?? {}).sort();
      if (indices.join(',') !== 'conc-roll-000001,conc-roll-000002')
        ctx.problem(`rollover: indices ${indices.join(',')}`, true);
    },
  },
  {
    name: 'index-create',
    covers: ['indices.create'],
    run: async (ctx) => {
      const created = await ctx.together(() =>
        ctx.api('PUT', '/conc-created', { settings: { number_of_replicas: 0 } }),
      );
      oneWinner(ctx, 'index create', created, [200], [400]);
    },
  },
  {
    name: 'ingestion-pause-resume',
    covers: ['ingestion.pause', 'ingestion.resume'],
    run: async (ctx) => {
      const dir = fs.mkdtempSync(path.join(workDir, 'ingestion-'));
      fs.mkdirSync(path.join(dir, 'conc-stream'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'conc-stream', '0.ndjson'), '');
      const created = await ctx.api('PUT', '/conc-ingest', {
        settings: {
          ingestion_source: { type: 'file', param: { stream: 'conc-stream', base_directory: dir } },
          index: { number_of_shards: 1, number_of_replicas: 0 },
        },
      });
      if (created.status !== 200) {
        ctx.problem(
          `ingestion: the index was not created (${created.status} ${JSON.stringify(created.body).slice(0, 200)})`,
        );
        return;
      }
      const paused = await ctx.together(() => ctx.api('POST', '/conc-ingest/ingestion/_pause'));
      if (paused.some((r) => r.status !== 200)) ctx.problem(`ingestion pause: ${statusLine(paused)}`);
      const resumed = await ctx.together(() => ctx.api('POST', '/conc-ingest/ingestion/_resume'));
      if (resumed.some((r) => r.status !== 200)) ctx.problem(`ingestion resume: ${statusLine(resumed)}`);
    },
  },
  {
    name: 'cluster-settings',
    covers: ['cluster.put_settings'],
    run: async (ctx) => {
      const key = 'plugins.index_state_management.job_interval';
      const put = await ctx.together((i) =>
        ctx.api('PUT', '/_cluster/settings', { persistent: { [key]: String(i + 1) } }),
      );
      if (put.some((r) => r.status !== 200)) ctx.problem(`cluster settings: ${statusLine(put)}`);
      const value = (await ctx.api('GET', '/_cluster/settings?flat_settings=true')).body?.persistent?.[key];
      if (!Array.from({ length: ctx.callers }, (_, i) => String(i + 1)).includes(value)) {
        ctx.problem(`cluster settings: ${key} is ${String(value)}, no caller's`, true);
      }
      await ctx.api('PUT', '/_cluster/settings', { persistent: { [key]: null } });
    },
  },
];

export const concurrency = async (
  apiUrl: string,
  clusterUrl: string,
  ops: readonly CatalogueEntry[],
  options: { callers?: number; only?: string } = {},
): Promise<ConcurrencyResult> => {
  const callers = options.callers ?? 20;
  const problems: string[] = [];
  let calls = 0;
  let fiveXx = 0;
  let lostUpdates = 0;
  let clusterErrors = 0;
  let sequence = 0;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'robustness-'));
  const ctx: Context = {
    api: async (method, p, body) => {
      const id = `concurrent-${++sequence}`;
      const reply = await sendJson(apiUrl, method, p, body, { [CASE_HEADER]: id });
      takeWrites(id);
      return { ...reply, clusterAnswered: takeClusterStatuses(id) };
    },
    cluster: (method, p, body) => sendJson(clusterUrl, method, p, body),
    callers,
    sample: (operation) => ops.find((o) => o.operation === operation)?.sample.body,
    problem: (text, lost = false) => {
      problems.push(text);
      if (lost) lostUpdates++;
    },
    together: async (call) => {
      const replies = await Promise.all(Array.from({ length: callers }, (_, i) => call(i)));
      calls += replies.length;
      // A 5xx the cluster itself gave to the request made on the call's behalf is the cluster's.
      const errors = replies.filter((r) => r.status >= 500 && !r.clusterAnswered?.includes(r.status));
      clusterErrors += replies.filter((r) => r.status >= 500).length - errors.length;
      fiveXx += errors.length;
      if (errors.length)
        problems.push(`5xx: ${errors.map((r) => JSON.stringify(r.body).slice(0, 200)).join(' | ')}`);
      return replies;
    },
  };
  const all = scenarios(workDir);
  const covered = new Set(all.flatMap((s) => s.covers));
  for (const op of ops) {
    if (op.changesState && !covered.has(op.operation))
      problems.push(`no concurrency scenario for ${op.operation}`);
  }
  for (const scenario of all.filter((s) => !options.only || s.name === options.only)) {
    try {
      await scenario.run(ctx);
    } catch (e) {
      problems.push(`${scenario.name}: ${(e as Error).message}`);
    }
  }
  fs.rmSync(workDir, { recursive: true, force: true });
  return { calls, scenarios: all.length, fiveXx, lostUpdates, clusterErrors, problems };
};
