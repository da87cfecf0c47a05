import { apiHandler } from '../../shared/http';
import { intParam } from '../../shared/params';
import { answerFromCluster } from '../native-proxy';
import { ingestionCluster, ingestionService } from '../deps';
import { validationError } from '../service';

/** GET /<index>/ingestion/_state?size=&next_token=&sort=&shards= */
export const handler = apiHandler('ingestion.get_state', async (request) => {
  const { pathParams, query } = request;
  const size = intParam(query, 'size', 1000);
  if (size <= 0) throw validationError('size must be greater than zero');
  const sort = (query.sort ?? 'asc').toLowerCase();
  if (sort !== 'asc' && sort !== 'desc') throw validationError('value of sort can either be asc or desc');
  const names = pathParams.index.split(',');
  if (new Set(names).size !== names.length) throw validationError('duplicate index names provided');
  let shards: number[] | undefined;
  if (query.shards !== undefined && query.shards !== '') {
    shards = query.shards.split(',').map((s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n) || n < 0) throw validationError(`invalid shard number [${s}]`);
      return n;
    });
  }
  const indices = await ingestionCluster().resolve(pathParams.index, query);
  const native = await answerFromCluster(request, indices);
  if (native) return native;
  const body = await ingestionService().state(indices, { size, nextToken: query.next_token, sort, shards });
  return { status: 200, body };
});
