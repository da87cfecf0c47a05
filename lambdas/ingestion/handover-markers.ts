import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  paginateQuery,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { HandoverMarker, HandoverMarkers } from './handover';

/**
 * Rollover handovers under way, one item per old index in the shared table:
 * `ingestion-handover` / `<old index>`. The poller reads it before every batch (one consistent
 * get), and its worker lists them to finish or undo handovers whose rollover call died.
 */
const PK = 'ingestion-handover';

export class DynamoHandoverMarkers implements HandoverMarkers {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(marker: HandoverMarker): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.table, Item: { pk: PK, sk: marker.oldIndex, marker } }),
    );
  }

  async get(oldIndex: string): Promise<HandoverMarker | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { pk: PK, sk: oldIndex }, ConsistentRead: true }),
    );
    return out.Item?.marker as HandoverMarker | undefined;
  }

  async delete(oldIndex: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: { pk: PK, sk: oldIndex } }));
  }

  async list(): Promise<HandoverMarker[]> {
    const markers: HandoverMarker[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': PK },
        ConsistentRead: true,
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) markers.push(item.marker as HandoverMarker);
    return markers;
  }
}
