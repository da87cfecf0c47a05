import { apiHandler } from '../../shared/http';
import { intParam } from '../../shared/params';
import { transformService } from '../deps';

/** GET _plugins/_transform: search by id with paging and sorting (the plugin's parameter names). */
export const handler = apiHandler('transforms.search', async ({ query }) => {
  const page = await transformService().list({
    search: query.search ?? '',
    from: intParam(query, 'from', 0),
    size: intParam(query, 'size', 20),
    sortField: query.sortField ?? 'transform.transform_id.keyword',
    sortDirection: query.sortDirection ?? 'asc',
  });
  return {
    status: 200,
    body: {
      total_transforms: page.total,
      transforms: page.transforms.map((d) => ({
        _id: d.id,
        _seq_no: d.seqNo,
        _primary_term: d.primaryTerm,
        transform: d.source,
      })),
    },
  };
});
