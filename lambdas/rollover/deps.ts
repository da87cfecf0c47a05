import { systemClock } from '../shared/clock';
import { clusterClient } from '../shared/cluster';
import { documentClient, tableName } from '../shared/dynamo';
import { logger } from '../shared/logger';
import { OpenSearchRolloverCluster } from './cluster-rollover';
import { DynamoRolloverHistory, type RolloverHistory } from './history-store';
import type { RolloverRecord } from './model';
import { RolloverService } from './rollover-service';

/**
 * Wiring, built once per container on first use. Other features use these entry points:
 *
 * - `rolloverService().rollover({ alias, body, params, source: 'ism' })`: ISM's rollover action
 *   (history and hooks included);
 * - `recordRollover(record)`: record a rollover confirmed some other way;
 * - `rolloverHistory().forIndex(index)` / `.forAlias(alias)`: explain and history.
 */
let history: RolloverHistory | undefined;
let service: RolloverService | undefined;

export const rolloverHistory = (): RolloverHistory =>
  (history ??= new DynamoRolloverHistory(documentClient(), tableName()));

export const rolloverService = (): RolloverService =>
  (service ??= new RolloverService(
    new OpenSearchRolloverCluster(clusterClient),
    rolloverHistory(),
    systemClock,
    { error: (message, extra) => logger.error(message, extra) },
  ));

export const recordRollover = (record: RolloverRecord): Promise<RolloverRecord> =>
  rolloverService().recordRollover(record);
