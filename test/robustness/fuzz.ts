import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { matchRoute } from '../../lambdas/core/router';
import type { CatalogueEntry } from './catalogue';
import { envelopeProblem } from './checks';
import { send, type RawReply } from './http-client';
import { CASE_HEADER, takeClusterStatuses, takeWrites } from './observer';
import { requestArbitrary, type FuzzRequest } from './requests';
import { clusterSnapshot, differences, tableSnapshot } from './snapshot';

/**
 * The fuzzing phase: `cases` requests from the arbitraries of requests.ts, each checked for
 *
 * - no 5xx of ours (a 5xx the cluster itself gave to the request made on this one's behalf, as
 *   observer.ts saw it, is the cluster's);
 * - every 4xx of ours in OpenSearch's error forms (checks.ts);
 * - a rejected request (4xx) changes nothing: no write to the table or the cluster made on its
 *   behalf (observer.ts), and, for every `auditEvery`th case, run alone, a scan of the table and
 *   the cluster's metadata before and after that are equal.
 *
 * Cases run `parallel` at a time between the audited ones. Case `i` of seed `s` is generated from
 * its own seed, so one case can be replayed alone: `npm run test:robustness -- --seed s --case i`.
 */
export interface Finding {
  readonly kind: '5xx' | 'error form' | 'changed after rejection' | 'no answer';
  readonly caseIndex: number;
  readonly request: FuzzRequest;
  readonly status?: number;
  readonly detail: string;
}

export interface FuzzTarget {
  readonly apiUrl: string;
  readonly clusterUrl: string;
  readonly dynamo: DynamoDBClient;
  readonly table: string;
  /** Puts the sample documents back (the fuzzer deletes them too); called every so often. */
  readonly restoreFixtures: () => Promise<void>;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly cases: number;
  /** Replay this one case only. */
  readonly only?: number;
  /** Start at this case (the ones before are skipped). */
  readonly from?: number;
  readonly parallel?: number;
  readonly auditEvery?: number;
  readonly onProgress?: (done: number) => void;
  /** Called as each case is sent (--trace). */
  readonly onStart?: (caseIndex: number) => void;
  /** Called after each case (--trace). */
  readonly onCase?: (caseIndex: number, request: FuzzRequest, status: number, ms: number) => void;
}

export interface FuzzResult {
  readonly cases: number;
  readonly audited: number;
  readonly statuses: ReadonlyMap<number, number>;
  readonly findings: readonly Finding[];
  /** 5xx answers that are the cluster's own, passed on. */
  readonly clusterErrors: number;
}

export const caseSeed = (seed: number, index: number): number =>
  createHash('sha256').update(`${seed}:${index}`).digest().readInt32BE(0);

export const generateCase = (ops: readonly CatalogueEntry[], seed: number, index: number): FuzzRequest =>
  fc.sample(requestArbitrary(ops), { seed: caseSeed(seed, index), numRuns: 1 })[0];

const RESTORE_EVERY = 500;

/** A short printable form of a request, with the body cut. */
export const describeRequest = (r: FuzzRequest): string => {
  const body =
    r.body === undefined
      ? ''
      : ` body(${r.body.length} B)=${JSON.stringify(r.body.subarray(0, 160).toString('utf8'))}`;
  return `${r.method} ${r.path}${r.query ? `?${r.query}` : ''} [${r.operation}${r.mutation ? `; ${r.mutation}` : ''}]${body}`;
};

const routeOf = (r: FuzzRequest): ReturnType<typeof matchRoute> | undefined => {
  try {
    return matchRoute(r.method, r.path.length > 1 ? r.path.replace(/\/+$/, '') : r.path);
  } catch {
    return undefined;
  }
};

export const fuzz = async (
  target: FuzzTarget,
  ops: readonly CatalogueEntry[],
  options: FuzzOptions,
): Promise<FuzzResult> => {
  const arbitrary = requestArbitrary(ops);
  const statuses = new Map<number, number>();
  const findings: Finding[] = [];
  let clusterErrors = 0;
  let audited = 0;
  let done = 0;

  const runCase = async (caseIndex: number, alone: boolean): Promise<void> => {
    let request: FuzzRequest;
    try {
      [request] = fc.sample(arbitrary, { seed: caseSeed(options.seed, caseIndex), numRuns: 1 });
    } catch (e) {
      throw new Error(
        `case ${caseIndex} of seed ${options.seed} could not be generated: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const route = routeOf(request);
    const dataPlane = route?.kind === 'data_plane';
    const before = alone
      ? await Promise.all([tableSnapshot(target.dynamo, target.table), clusterSnapshot(target.clusterUrl)])
      : undefined;
    const id = String(caseIndex);
    let reply: RawReply;
    options.onStart?.(caseIndex);
    const sentAt = Date.now();
    try {
      reply = await send(target.apiUrl, { ...request, headers: { [CASE_HEADER]: id } });
    } catch (e) {
      takeWrites(id);
      takeClusterStatuses(id);
      findings.push({ kind: 'no answer', caseIndex, request, detail: (e as Error).message });
      return;
    }
    const writes = takeWrites(id);
    const clusterAnswered = takeClusterStatuses(id);
    statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
    options.onCase?.(caseIndex, request, reply.status, Date.now() - sentAt);
    const found = (kind: Finding['kind'], detail: string): void => {
      findings.push({ kind, caseIndex, request, status: reply.status, detail });
    };
    // A 5xx is the cluster's when the cluster gave it to the request made on this one's behalf.
    if (reply.status >= 500) {
      if (clusterAnswered.includes(reply.status)) clusterErrors++;
      else found('5xx', reply.text.slice(0, 300));
    }
    // What the cluster answers and changes on a passed-through request is its own.
    if (reply.status < 400 || reply.status >= 500 || dataPlane) return;
    const problem = envelopeProblem(request.method, reply);
    if (problem) found('error form', problem);
    if (writes.length)
      found(
        'changed after rejection',
        `${writes.map((w) => `${w.where} ${w.what}`).join(', ')}; answer ${reply.text.slice(0, 200)}`,
      );
    if (before) {
      audited++;
      const [table, cluster] = await Promise.all([
        tableSnapshot(target.dynamo, target.table),
        clusterSnapshot(target.clusterUrl),
      ]);
      const changed = [
        ...differences(before[0], table).map((c) => `table ${c}`),
        ...differences(before[1], cluster).map((c) => `cluster ${c}`),
      ];
      // Seen by the scans but not by the observer: a change, and a blind spot of observer.ts.
      if (changed.length && !writes.length)
        found(
          'changed after rejection',
          `scans: ${changed.join(', ')} (no write observed); answer ${reply.text.slice(0, 200)}`,
        );
    }
  };

  if (options.only !== undefined) {
    await runCase(options.only, true);
    return { cases: 1, audited, statuses, findings, clusterErrors };
  }
  const parallel = Math.max(1, options.parallel ?? 6);
  const auditEvery = Math.max(1, options.auditEvery ?? 20);
  for (let start = options.from ?? 0; start < options.cases; start += auditEvery) {
    if (start > 0 && start % RESTORE_EVERY < auditEvery) await target.restoreFixtures();
    await runCase(start, true);
    let next = start + 1;
    const end = Math.min(options.cases, start + auditEvery);
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < end) await runCase(next++, false);
      }),
    );
    done = end;
    options.onProgress?.(done);
  }
  return { cases: done, audited, statuses, findings, clusterErrors };
};
