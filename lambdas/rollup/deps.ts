import { systemClock } from '../shared/clock';
import { documentClient, tableName } from '../shared/dynamo';
import { RollupService } from './rollup-service';

/** Wiring for the rollup handlers: built once per container, on first use. */
let service: RollupService | undefined;

export const rollupService = (): RollupService => {
  if (!service) {
    const { jobs, runs } = RollupService.stores(documentClient(), tableName());
    service = new RollupService(jobs, runs, systemClock);
  }
  return service;
};
