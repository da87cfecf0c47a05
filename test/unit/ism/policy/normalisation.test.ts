import { actionTypeOf } from '../../../../lambdas/ism/policy/model';
import { NOW, parse } from './helpers';

/** Every action the plugin knows, spread over a hot-warm-cold-delete lifecycle, written loosely. */
const body = {
  policy: {
    policy_id: 'whatever',
    description: 'hot-warm-delete',
    schema_version: 1,
    last_updated_time: 1,
    default_state: 'hot',
    error_notification: {
      channel: { id: 'chan-1' },
      message_template: { source: 'ISM failed on {{ctx.index}}', lang: 'mustache' },
    },
    states: [
      {
        name: 'hot',
        actions: [
          {
            rollover: { min_size: '50GB', min_index_age: '1D', copy_alias: false },
            timeout: '1d',
            retry: { count: 3, backoff: 'exponential', delay: '1m' },
          },
          { index_priority: { priority: 100 } },
          { alias: { actions: [{ add: { alias: 'hot-logs' } }] } },
          { notification: { channel: { id: 'chan-1' }, message_template: 'rolled {{ctx.index}}' } },
        ],
        transitions: [{ state_name: 'warm', conditions: { min_index_age: '7d' } }],
      },
      {
        name: 'warm',
        actions: [
          { read_only: {} },
          { replica_count: { number_of_replicas: 1 } },
          { allocation: { require: { box_type: 'warm' }, wait_for: false } },
          {
            force_merge: { max_num_segments: 1 },
            retry: { count: 1, backoff: 'constant', delay: '10M'.toLowerCase() },
          },
          { shrink: { num_new_shards: 1, force_unsafe: true } },
          {
            rollup: {
              ism_rollup: {
                description: 'daily',
                target_index: 'rollup-{{ctx.index}}',
                page_size: 1000,
                dimensions: [{ date_histogram: { source_field: '@timestamp', calendar_interval: '1d' } }],
                metrics: [{ source_field: 'bytes', metrics: [{ sum: {} }] }],
              },
            },
          },
          {
            transform: {
              ism_transform: {
                description: 'by host',
                target_index: 'by-host',
                page_size: 100,
                groups: [{ terms: { source_field: 'host' } }],
                aggregations: { b: { sum: { field: 'bytes' } } },
              },
            },
          },
          { snapshot: { repository: 'repo', snapshot: 'snap' } },
          { read_write: {} },
        ],
        transitions: [{ state_name: 'cold', conditions: { min_rollover_age: '30d' } }],
      },
      {
        name: 'cold',
        actions: [
          { close: {} },
          { open: {} },
          { stop_replication: {} },
          { search_only: {} },
          { convert_index_to_remote: { repository: 'repo', snapshot: 'snap' } },
        ],
        transitions: [
          {
            state_name: 'delete',
            conditions: { cron: { cron: { expression: '0 17 * * SAT', timezone: 'America/Los_Angeles' } } },
          },
        ],
      },
      { name: 'delete', actions: [{ delete: {} }] },
    ],
    ism_template: { index_patterns: ['logs-*', '-logs-test-*'], priority: 100 },
  },
};

const R = '"retry":{"count":3,"backoff":"exponential","delay":"1m"}';

/** What OpenSearch renders for it, key order included. */
const expected =
  '{"policy_id":"hot-warm","description":"hot-warm-delete","last_updated_time":' +
  NOW +
  ',"schema_version":1,' +
  '"error_notification":{"channel":{"id":"chan-1"},"message_template":{"source":"ISM failed on {{ctx.index}}","lang":"mustache"}},' +
  '"default_state":"hot","states":[' +
  '{"name":"hot","actions":[' +
  `{"timeout":"1d",${R},"rollover":{"min_size":"50gb","min_index_age":"1d","copy_alias":false}},` +
  `{${R},"index_priority":{"priority":100}},` +
  `{${R},"alias":{"actions":[{"add":{"aliases":["hot-logs"]}}]}},` +
  `{${R},"notification":{"channel":{"id":"chan-1"},"message_template":{"source":"rolled {{ctx.index}}","lang":"mustache"}}}` +
  '],"transitions":[{"state_name":"warm","conditions":{"min_index_age":"7d"}}]},' +
  '{"name":"warm","actions":[' +
  `{${R},"read_only":{}},` +
  `{${R},"replica_count":{"number_of_replicas":1}},` +
  `{${R},"allocation":{"require":{"box_type":"warm"},"include":{},"exclude":{},"wait_for":false}},` +
  '{"retry":{"count":1,"backoff":"constant","delay":"10m"},"force_merge":{"max_num_segments":1}},' +
  `{${R},"shrink":{"num_new_shards":1,"switch_aliases":false,"force_unsafe":true}},` +
  `{${R},"rollup":{"ism_rollup":{"description":"daily","target_index":"rollup-{{ctx.index}}","page_size":1000,` +
  '"dimensions":[{"date_histogram":{"calendar_interval":"1d","source_field":"@timestamp","target_field":"@timestamp","timezone":"UTC","format":null}}],' +
  '"metrics":[{"source_field":"bytes","metrics":[{"sum":{}}]}]}}},' +
  `{${R},"transform":{"ism_transform":{"description":"by host","target_index":"by-host","page_size":100,` +
  '"data_selection_query":{"match_all":{"boost":1}},"groups":[{"terms":{"source_field":"host","target_field":"host"}}],' +
  '"aggregations":{"b":{"sum":{"field":"bytes"}}}}}},' +
  `{${R},"snapshot":{"repository":"repo","snapshot":"snap"}},` +
  `{${R},"read_write":{}}` +
  '],"transitions":[{"state_name":"cold","conditions":{"min_rollover_age":"30d"}}]},' +
  '{"name":"cold","actions":[' +
  `{${R},"close":{}},{${R},"open":{}},{${R},"stop_replication":{}},{${R},"search_only":{}},` +
  `{${R},"convert_index_to_remote":{"repository":"repo","snapshot":"snap"}}` +
  '],"transitions":[{"state_name":"delete","conditions":{"cron":{"cron":{"expression":"0 17 * * SAT","timezone":"America/Los_Angeles"}}}}]},' +
  `{"name":"delete","actions":[{${R},"delete":{}}],"transitions":[]}` +
  '],"ism_template":[{"index_patterns":["logs-*","-logs-test-*"],"priority":100,"last_updated_time":' +
  NOW +
  '}]}';

describe('normalisation of a full hot-warm-delete policy', () => {
  const policy = parse(body, 'hot-warm');

  test('renders byte for byte as OpenSearch writes it', () => {
    expect(JSON.stringify(policy)).toBe(expected);
  });

  test('covers every action type', () => {
    const types = policy.states.flatMap((s) => s.actions.map(actionTypeOf));
    expect(new Set(types).size).toBe(19);
  });

  test('a GET-then-PUT round trip changes nothing', () => {
    const again = parse({ policy: JSON.parse(JSON.stringify(policy)) }, 'hot-warm');
    expect(again).toEqual(policy);
    expect(JSON.stringify(again)).toBe(expected);
  });
});
