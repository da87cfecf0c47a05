import { apiHandler } from '../../shared/http';
import { intParam } from '../../shared/params';
import { rollupService } from '../deps';

/** GET _plugins/_rollup/jobs: search by id with paging and sorting (the plugin's parameter names). */
export const handler = apiHandler('rollups.get_all', async ({ query }) => {
  const page = await rollupService().list({
    search: query.search ?? '',
    from: intParam(query, 'from', 0),
    size: intParam(query, 'size', 20),
    sortField: query.sortField ?? 'rollup.rollup_id.keyword',
    sortDirection: query.sortDirection ?? 'asc',
  });
  return {
    status: 200,
    body: {
      total_rollups: page.total,
      rollups: page.rollups.map((d) => ({
        _id: d.id,
        _seq_no: d.seqNo,
        _primary_term: d.primaryTerm,
        rollup: d.source,
      })),
    },
  };
});
