import { apiHandler } from '../../shared/http';
import { ismSwitch } from '../managed-deps';

/** POST _plugins/_ism/stop: the runner does nothing until start. */
export const handler = apiHandler('ism.stop', async () => {
  await ismSwitch().set(false);
  return { status: 200, body: { acknowledged: true } };
});
