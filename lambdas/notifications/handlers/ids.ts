import type { Query } from '../../shared/params';

/** config_id plus the comma-separated config_id_list, blanks dropped, each id once. */
export const idsParam = (query: Query): string[] => {
  const ids = [query.config_id, ...(query.config_id_list ?? '').split(',')];
  return [...new Set(ids.filter((id): id is string => !!id && id.trim() !== ''))];
};
