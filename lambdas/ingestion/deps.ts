import { clusterClient } from '../shared/cluster';
import { systemClock } from '../shared/clock';
import { documentClient, tableName } from '../shared/dynamo';
import { JobStore } from '../shared/jobs/job-store';
import { IngestionClusterAdapter } from './cluster-adapter';
import type { ShardState } from './model';
import { IngestionService } from './service';
import { describePosition } from './sources';

/** Wiring, built once per container on first use. */
export const INGESTION_KIND = 'ingestion';

let cluster: IngestionClusterAdapter | undefined;
let service: IngestionService | undefined;

export const ingestionCluster = (): IngestionClusterAdapter =>
  (cluster ??= new IngestionClusterAdapter(clusterClient));

export const shardStore = (): JobStore<ShardState> =>
  new JobStore<ShardState>(documentClient(), tableName(), INGESTION_KIND);

export const ingestionService = (): IngestionService =>
  (service ??= new IngestionService(shardStore(), systemClock, (s) =>
    describePosition(s.source.type, s.position),
  ));
