import { TransactWriteCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RolloverRecord } from './model';

/**
 * The history of rollovers done through the control plane, in the shared table. Each rollover is
 * stored twice in one transaction, so that both questions are one query:
 *
 * - `rollover-index#<old_index>` / `<alias>`: did this index roll over, and when (ISM explain);
 * - `rollover-alias#<alias>` / `<old_index>`: every rollover of an alias or data stream.
 *
 * The keys are what OpenSearch keys `rollover_info` by (old index + alias), so recording the
 * same rollover again (a retried ISM step) overwrites rather than duplicates.
 */
export interface RolloverHistory {
  record(record: RolloverRecord): Promise<void>;
  /** Rollovers of which `index` was the old index (one per alias it rolled over for). */
  forIndex(index: string): Promise<RolloverRecord[]>;
  /** Rollovers of an alias or data stream, oldest first. */
  forAlias(alias: string): Promise<RolloverRecord[]>;
}

const indexKey = (index: string): string => `rollover-index#${index}`;
const aliasKey = (alias: string): string => `rollover-alias#${alias}`;

export class DynamoRolloverHistory implements RolloverHistory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(record: RolloverRecord): Promise<void> {
    const item = { rollover: record };
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: { pk: indexKey(record.old_index), sk: record.alias, ...item },
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: { pk: aliasKey(record.alias), sk: record.old_index, ...item },
            },
          },
        ],
      }),
    );
  }

  forIndex(index: string): Promise<RolloverRecord[]> {
    return this.query(indexKey(index));
  }

  async forAlias(alias: string): Promise<RolloverRecord[]> {
    return (await this.query(aliasKey(alias))).sort((a, b) => a.time - b.time);
  }

  private async query(pk: string): Promise<RolloverRecord[]> {
    const records: RolloverRecord[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) records.push(item.rollover as RolloverRecord);
    return records;
  }
}
