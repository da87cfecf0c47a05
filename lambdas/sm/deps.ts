import { systemClock } from '../shared/clock';
import { documentClient, tableName } from '../shared/dynamo';
import { SMPolicyService } from './policy-service';

/** Wiring for the SM handlers: built once per container, on first use. */
let service: SMPolicyService | undefined;

export const smPolicyService = (): SMPolicyService => {
  if (!service) {
    const { policies, jobs } = SMPolicyService.stores(documentClient(), tableName());
    service = new SMPolicyService(policies, jobs, systemClock);
  }
  return service;
};
