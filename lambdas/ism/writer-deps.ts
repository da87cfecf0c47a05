import { systemClock } from '../shared/clock';
import { documentClient, tableName } from '../shared/dynamo';
import { allowListFromEnv } from './policy/allow-list';
import { PolicyService } from './policy-service';
import { PolicyWriter } from './policy-writer';

/** Wiring for the put handler, the only one that loads the policy validator. */
let writer: PolicyWriter | undefined;

export const policyWriter = (): PolicyWriter =>
  (writer ??= new PolicyWriter(
    PolicyService.policyStore(documentClient(), tableName()),
    systemClock,
    allowListFromEnv(),
  ));
