import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  paginateQuery,
} from '@aws-sdk/lib-dynamodb';
import { DUE_INDEX } from '../../../infra/table';

/**
 * The state a worker keeps for one item it works on (a managed index, an SM policy, a rollup
 * job, an ingestion shard), with its schedule and its lease, in one DynamoDB item:
 *
 *   pk = `job#<kind>`, sk = <id>
 *   state     the worker's metadata (JSON string), e.g. a managed index's ISM metadata
 *   rev       bumped by every write of `state` or schedule; writes are conditional on it
 *   dueKey    = <kind> while scheduled; with `dueAt` it puts the item in the sparse `due` index
 *   dueAt     epoch ms of the next run
 *   leaseOwner/leaseUntil   who works on it, until when (an expired lease is free to take)
 *
 * Workers find due items with a query on the `due` index (cost grows with due work, not with
 * the number of items), take a lease with a conditional write, and save with a write
 * conditional on still holding that lease at the same `rev`. A crashed invocation's lease
 * expires and the item is taken again; API writes (retry, change_policy, start/stop) use `rev`.
 */
export interface JobRecord<S> {
  readonly kind: string;
  readonly id: string;
  readonly state: S;
  readonly rev: number;
  /** Next run (epoch ms), or undefined when the item is not scheduled. */
  readonly dueAt?: number;
  readonly leaseOwner?: string;
  readonly leaseUntil?: number;
}

/** A due item as the index returns it (eventually consistent: re-checked by {@link JobStore.lease}). */
export interface DueItem {
  readonly id: string;
  readonly dueAt: number;
}

/** The write lost a race: another writer changed the item (or the lease was lost). */
export class StaleJobError extends Error {
  constructor(kind: string, id: string) {
    super(`[${kind}/${id}] was changed by another writer`);
    this.name = 'StaleJobError';
  }
}

interface Item {
  pk: string;
  sk: string;
  state: string;
  rev: number;
  dueKey?: string;
  dueAt?: number;
  leaseOwner?: string;
  leaseUntil?: number;
}

/** `null` unschedules the item; a number schedules it at that time. */
export type Schedule = number | null;

/** DynamoDB's limit on a sort key: no item has a longer id, so a read of one finds nothing. */
const MAX_KEY_BYTES = 1024;
const storable = (id: string): boolean => Buffer.byteLength(id) <= MAX_KEY_BYTES;

export class JobStore<S> {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    /** The worker's kind, e.g. `ism`, `sm`, `rollup`, `ingestion`. */
    readonly kind: string,
  ) {}

  async get(id: string): Promise<JobRecord<S> | undefined> {
    if (!storable(id)) return undefined;
    const out = await this.client.send(
      new GetCommand({ TableName: this.table, Key: this.key(id), ConsistentRead: true }),
    );
    return out.Item ? this.fromItem(out.Item as Item) : undefined;
  }

  /** Creates the item; false when one with this id exists already. */
  async create(id: string, state: S, dueAt: Schedule): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: this.toItem(id, state, 1, dueAt),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  /**
   * Replaces state and schedule if the item is still at `rev`, whoever holds the lease (the
   * lease holder's own save then fails, and it drops its result: see {@link save}).
   * @throws StaleJobError when the item changed or is gone
   */
  async update(id: string, rev: number, state: S, dueAt: Schedule): Promise<JobRecord<S>> {
    if (!storable(id)) throw new StaleJobError(this.kind, id);
    return this.conditionalWrite(id, state, dueAt, 'rev = :rev', { ':rev': rev }, false);
  }

  /** Deletes the item (whatever its lease); true when there was one. */
  async delete(id: string): Promise<boolean> {
    if (!storable(id)) return false;
    try {
      // Conditional on the item being there: of concurrent deletes exactly one answers true.
      await this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.key(id),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  /** Deletes the item only if it is still at `rev`; false when it changed or is gone. */
  async deleteIf(id: string, rev: number): Promise<boolean> {
    if (!storable(id)) return false;
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.key(id),
          ConditionExpression: 'rev = :rev',
          ExpressionAttributeValues: { ':rev': rev },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  /**
   * Every item of this kind (explain of everything, admin), or those whose id starts with
   * `prefix` (the shards of one index); in id order, paged through.
   */
  async list(prefix?: string): Promise<JobRecord<S>[]> {
    const records: JobRecord<S>[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
        ExpressionAttributeValues: prefix ? { ':pk': this.pk, ':prefix': prefix } : { ':pk': this.pk },
        ConsistentRead: true,
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) records.push(this.fromItem(item as Item));
    return records;
  }

  /**
   * Items due at `now`, earliest first, at most `limit`. Reads only the index entries of due
   * items. `after` continues from the last item of a previous page.
   */
  async findDue(now: number, limit: number, after?: DueItem): Promise<DueItem[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: DUE_INDEX.indexName,
        KeyConditionExpression: '#k = :kind AND #at <= :now',
        ExpressionAttributeNames: { '#k': DUE_INDEX.partitionKey, '#at': DUE_INDEX.sortKey },
        ExpressionAttributeValues: { ':kind': this.kind, ':now': now },
        Limit: limit,
        ExclusiveStartKey: after
          ? {
              pk: this.pk,
              sk: after.id,
              [DUE_INDEX.partitionKey]: this.kind,
              [DUE_INDEX.sortKey]: after.dueAt,
            }
          : undefined,
      }),
    );
    return (out.Items ?? []).map((item) => ({ id: item.sk as string, dueAt: item.dueAt as number }));
  }

  /**
   * How many items are due at `now` (index entries only, a count query: a worker sizes its
   * fan-out with it).
   */
  async countDue(now: number): Promise<number> {
    let count = 0;
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        IndexName: DUE_INDEX.indexName,
        KeyConditionExpression: '#k = :kind AND #at <= :now',
        ExpressionAttributeNames: { '#k': DUE_INDEX.partitionKey, '#at': DUE_INDEX.sortKey },
        ExpressionAttributeValues: { ':kind': this.kind, ':now': now },
        Select: 'COUNT',
      },
    );
    for await (const page of pages) count += page.Count ?? 0;
    return count;
  }

  /**
   * Takes the lease on a due item until `now + ttlMs`. Undefined when the item is gone, not due
   * any more (the index lags the table), or leased by someone else whose lease has not expired.
   */
  async lease(id: string, owner: string, now: number, ttlMs: number): Promise<JobRecord<S> | undefined> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(id),
          UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND dueAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeValues: { ':owner': owner, ':until': now + ttlMs, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return this.fromItem(out.Attributes as Item);
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return undefined;
      throw e;
    }
  }

  /**
   * Saves the lease holder's work: new state and schedule, if the holder still holds the lease
   * and nobody else wrote since (`rev`). `keepLeaseUntil` extends the lease (a checkpoint in the
   * middle of long work); without it the lease is released.
   * @throws StaleJobError when the lease was lost or the item changed meanwhile
   */
  async save(held: JobRecord<S>, state: S, dueAt: Schedule, keepLeaseUntil?: number): Promise<JobRecord<S>> {
    if (!held.leaseOwner) throw new Error('save() needs a record returned by lease()');
    return this.conditionalWrite(
      held.id,
      state,
      dueAt,
      'rev = :rev AND leaseOwner = :owner',
      { ':rev': held.rev, ':owner': held.leaseOwner },
      keepLeaseUntil ?? true,
    );
  }

  /** Gives the lease back without changing anything (e.g. the work was skipped). */
  async release(held: JobRecord<S>): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(held.id),
          UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':owner': held.leaseOwner },
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  /**
   * @param lease `false`: leave the lease attributes alone; `true`: remove them; a number:
   *   extend the lease to that time.
   */
  private async conditionalWrite(
    id: string,
    state: S,
    dueAt: Schedule,
    condition: string,
    values: Record<string, unknown>,
    lease: boolean | number,
  ): Promise<JobRecord<S>> {
    const sets = ['#state = :state', 'rev = rev + :one'];
    const removes: string[] = [];
    const names: Record<string, string> = { '#state': 'state' };
    const vals: Record<string, unknown> = { ...values, ':state': JSON.stringify(state), ':one': 1 };
    if (dueAt === null) removes.push('dueKey', 'dueAt');
    else {
      sets.push('dueKey = :kind', 'dueAt = :dueAt');
      vals[':kind'] = this.kind;
      vals[':dueAt'] = dueAt;
    }
    if (lease === true) removes.push('leaseOwner', 'leaseUntil');
    else if (typeof lease === 'number') {
      sets.push('leaseUntil = :until');
      vals[':until'] = lease;
    }
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(id),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: `attribute_exists(pk) AND ${condition}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: vals,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return this.fromItem(out.Attributes as Item);
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new StaleJobError(this.kind, id);
      throw e;
    }
  }

  private get pk(): string {
    return `job#${this.kind}`;
  }

  private key(id: string): { pk: string; sk: string } {
    return { pk: this.pk, sk: id };
  }

  private toItem(id: string, state: S, rev: number, dueAt: Schedule): Item {
    return {
      ...this.key(id),
      state: JSON.stringify(state),
      rev,
      ...(dueAt === null ? {} : { dueKey: this.kind, dueAt }),
    };
  }

  private fromItem(item: Item): JobRecord<S> {
    return {
      kind: this.kind,
      id: item.sk,
      state: JSON.parse(item.state) as S,
      rev: item.rev,
      dueAt: item.dueAt,
      leaseOwner: item.leaseOwner,
      leaseUntil: item.leaseUntil,
    };
  }
}
