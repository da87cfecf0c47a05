import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  paginateQuery,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { MAX_ID_BYTES, idLengthError, validationFailed } from './document-id';
import { versionConflict } from './errors';

/**
 * OpenSearch's document contract on DynamoDB: every document has `_version`, `_seq_no` and
 * `_primary_term`, and writes are guarded by conditional writes, never read-then-write.
 *
 * `_seq_no` comes from one atomic counter per namespace (like a shard's sequence), so it only
 * grows: a pair read from a deleted document can never match a re-created one (no ABA).
 * `_primary_term` is constant: there is no primary failover to count.
 */
export interface StoredDocument<T> {
  id: string;
  version: number;
  seqNo: number;
  primaryTerm: number;
  source: T;
}

export interface DeletedDocument {
  id: string;
  version: number;
  seqNo: number;
  primaryTerm: number;
}

export const PRIMARY_TERM = 1;
const COUNTER_PK = '_seq_no';

interface Item {
  pk: string;
  sk: string;
  doc: string;
  version: number;
  seqNo: number;
  primaryTerm: number;
}

/** Ids are at most 512 bytes (IndexRequest.validate): a longer one names no document. */
const storable = (id: string): boolean => Buffer.byteLength(id) <= MAX_ID_BYTES;

export class DocumentStore<T> {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    /** Partition of this kind of document, e.g. `ism-policy`. */
    private readonly namespace: string,
    /** The OpenSearch index name the plugin would keep these in, for error metadata. */
    private readonly indexName: string,
  ) {}

  async get(id: string): Promise<StoredDocument<T> | undefined> {
    if (!storable(id)) return undefined;
    const out = await this.client.send(
      new GetCommand({ TableName: this.table, Key: this.key(id), ConsistentRead: true }),
    );
    return out.Item ? this.fromItem(out.Item as Item) : undefined;
  }

  /** Create-only write: an existing id is a 409, as with `op_type=create`. */
  async create(id: string, source: T, reservedSeqNo?: number): Promise<StoredDocument<T>> {
    const tooLong = idLengthError(id);
    if (tooLong) throw validationFailed([tooLong]);
    const seqNo = reservedSeqNo ?? (await this.reserveSeqNo());
    const item: Item = {
      ...this.key(id),
      doc: JSON.stringify(source),
      version: 1,
      seqNo,
      primaryTerm: PRIMARY_TERM,
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const current = await this.currentAfterConflict(e, id);
      throw versionConflict(
        `[${id}]: version conflict, document already exists (current version [${current?.version ?? 1}])`,
        this.indexName,
      );
    }
    return this.fromItem(item);
  }

  /** Overwrite guarded by `if_seq_no`/`if_primary_term`. */
  async update(
    id: string,
    source: T,
    ifSeqNo: number,
    ifPrimaryTerm: number,
    reservedSeqNo?: number,
  ): Promise<StoredDocument<T>> {
    if (!storable(id)) {
      throw versionConflict(
        `[${id}]: version conflict, required seqNo [${ifSeqNo}], primary term [${ifPrimaryTerm}]. but no document was found`,
        this.indexName,
      );
    }
    const seqNo = reservedSeqNo ?? (await this.reserveSeqNo());
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(id),
          UpdateExpression: 'SET #doc = :doc, seqNo = :seq, version = version + :one',
          ConditionExpression: 'attribute_exists(pk) AND seqNo = :ifSeq AND primaryTerm = :ifTerm',
          ExpressionAttributeNames: { '#doc': 'doc' },
          ExpressionAttributeValues: {
            ':doc': JSON.stringify(source),
            ':seq': seqNo,
            ':one': 1,
            ':ifSeq': ifSeqNo,
            ':ifTerm': ifPrimaryTerm,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return this.fromItem(out.Attributes as Item);
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const current = await this.currentAfterConflict(e, id);
      const required = `[${id}]: version conflict, required seqNo [${ifSeqNo}], primary term [${ifPrimaryTerm}].`;
      throw versionConflict(
        current
          ? `${required} current document has seqNo [${current.seqNo}] and primary term [${current.primaryTerm}]`
          : `${required} but no document was found`,
        this.indexName,
      );
    }
  }

  /** Deletes the document; undefined when there was none. */
  async delete(id: string): Promise<DeletedDocument | undefined> {
    if (!storable(id)) return undefined;
    // Taken before the delete: a store failure after the delete would answer an error for a
    // document that is gone (an unused number is just a gap).
    const seqNo = await this.reserveSeqNo();
    let old: Item;
    try {
      // Conditional on the document being there: of concurrent deletes exactly one deletes it
      // (an unconditional delete let DynamoDB Local hand the old item to two of them).
      const out = await this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.key(id),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      old = out.Attributes as Item;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return undefined;
      throw e;
    }
    return { id, version: old.version + 1, seqNo, primaryTerm: PRIMARY_TERM };
  }

  /** Every document of the namespace (paged through). */
  async list(): Promise<StoredDocument<T>[]> {
    const docs: StoredDocument<T>[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': this.namespace },
        ConsistentRead: true,
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) docs.push(this.fromItem(item as Item));
    return docs;
  }

  private key(id: string): { pk: string; sk: string } {
    return { pk: this.namespace, sk: id };
  }

  /**
   * Takes the next `_seq_no` of the namespace. Writers may reserve one ahead of a write (to
   * overlap it with other reads) and pass it to create/update; an unused one is just a gap.
   */
  async reserveSeqNo(): Promise<number> {
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: COUNTER_PK, sk: this.namespace },
        UpdateExpression: 'ADD #v :one',
        ExpressionAttributeNames: { '#v': 'value' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    // The first document gets seq_no 0, as in a fresh OpenSearch shard.
    return (out.Attributes?.value as number) - 1;
  }

  /** The item that made a condition fail, for the 409 message only (never for the decision). */
  private async currentAfterConflict(
    e: ConditionalCheckFailedException,
    id: string,
  ): Promise<StoredDocument<T> | undefined> {
    if (e.Item) return this.fromItem(unmarshall(e.Item) as Item);
    return this.get(id);
  }

  private fromItem(item: Item): StoredDocument<T> {
    return {
      id: item.sk,
      version: item.version,
      seqNo: item.seqNo,
      primaryTerm: item.primaryTerm,
      source: JSON.parse(item.doc) as T,
    };
  }
}
