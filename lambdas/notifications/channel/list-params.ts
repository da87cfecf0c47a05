/**
 * The query parameters of the channel list (`GET _plugins/_notifications/configs`): one list for
 * the route table (infra/routes.ts, which accepts exactly these) and the list's own filtering
 * (service.ts). Kept free of imports so that the route table can read it.
 */

/** Filters the plugin's list accepts, by how it matches them (ConfigQueryHelper). */
export const KEYWORD_FIELDS: readonly string[] = ['config_type', 'is_enabled'];
export const TEXT_FIELDS: readonly string[] = [
  'name',
  'description',
  'slack.url',
  'chime.url',
  'microsoft_teams.url',
  'webhook.url',
  'sns.topic_arn',
  'sns.role_arn',
];
export const RANGE_FIELDS: readonly string[] = ['last_updated_time_ms', 'created_time_ms'];

/** Which configs (`config_id`, `config_id_list`): also the parameters of the bulk delete. */
export const ID_PARAMS: readonly string[] = ['config_id', 'config_id_list'];

export const LIST_PARAMS: readonly string[] = [
  ...ID_PARAMS,
  'from_index',
  'max_items',
  'sort_field',
  'sort_order',
  'query',
  'text_query',
  ...KEYWORD_FIELDS,
  ...TEXT_FIELDS,
  ...RANGE_FIELDS,
];
