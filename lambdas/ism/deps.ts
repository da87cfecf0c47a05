import { documentClient, tableName } from '../shared/dynamo';
import { PolicyService } from './policy-service';

/** Wiring for the read and delete handlers: built once per container, on first use. */
let service: PolicyService | undefined;

export const policyService = (): PolicyService =>
  (service ??= new PolicyService(PolicyService.policyStore(documentClient(), tableName())));
