import { apiHandler } from '../../shared/http';
import { ismSwitch } from '../managed-deps';

/** POST _plugins/_ism/start: managed indices carry on where they stopped. */
export const handler = apiHandler('ism.start', async () => {
  await ismSwitch().set(true);
  return { status: 200, body: { acknowledged: true } };
});
