import { expectRejected, firstAction, parse, withActions } from './helpers';

const rejects = (action: unknown, type: string, reason: string) =>
  expectRejected(() => parse(withActions(action)), type, reason);

const DEFAULT_RETRY = { count: 3, backoff: 'exponential', delay: '1m' };

describe('the action envelope: timeout, retry, one type', () => {
  test('an action without retry gets the default retry, rendered before the type object', () => {
    const a = firstAction(withActions({ read_only: {} }));
    expect(a).toEqual({ retry: DEFAULT_RETRY, read_only: {} });
    expect(Object.keys(a)).toEqual(['retry', 'read_only']);
  });

  test('timeout and retry are normalized and rendered first, whatever the input order', () => {
    const a = firstAction(
      withActions({ close: {}, retry: { count: 1, backoff: 'LINEAR', delay: '30S' }, timeout: '1D' }),
    );
    expect(Object.keys(a)).toEqual(['timeout', 'retry', 'close']);
    expect(a).toEqual({ timeout: '1d', retry: { count: 1, backoff: 'linear', delay: '30s' }, close: {} });
  });

  test('retry keeps the defaults it is not given and ignores unknown keys', () => {
    expect(firstAction(withActions({ open: {}, retry: { count: 0, foo: 1 } })).retry).toEqual({
      ...DEFAULT_RETRY,
      count: 0,
    });
  });

  test('a built-in action wrapped in custom is accepted and rendered without the wrapper', () => {
    expect(firstAction(withActions({ custom: { delete: {} } }))).toEqual({
      retry: DEFAULT_RETRY,
      delete: {},
    });
  });

  test('with two type keys the last one wins, as in the plugin', () => {
    expect(firstAction(withActions({ read_only: {}, read_write: {} }))).toEqual({
      retry: DEFAULT_RETRY,
      read_write: {},
    });
  });

  test.each([
    [
      'an unknown type',
      { shrink_it: {} },
      'illegal_argument_exception',
      'Invalid field: [shrink_it] found in Actions.',
    ],
    [
      'an unknown type with a scalar value',
      { shrink_it: 1 },
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_OBJECT] but found [VALUE_NUMBER]',
    ],
    [
      'only timeout and retry',
      { timeout: '1d', retry: { count: 1 } },
      'illegal_argument_exception',
      'Action inside state is null',
    ],
    [
      'a numeric timeout',
      { timeout: 5, delete: {} },
      'illegal_argument_exception',
      'Invalid token: [VALUE_NUMBER] for ActionTimeout',
    ],
    [
      'a null timeout',
      { timeout: null, delete: {} },
      'illegal_argument_exception',
      'Invalid token: [VALUE_NULL] for ActionTimeout',
    ],
    [
      'a timeout without unit',
      { timeout: '5', delete: {} },
      'illegal_argument_exception',
      'failed to parse setting [timeout] with value [5] as a time value: unit is missing or unrecognized',
    ],
    [
      'a retry without count',
      { retry: { backoff: 'constant' }, delete: {} },
      'illegal_argument_exception',
      'ActionRetry count is null',
    ],
    [
      'a negative retry count',
      { retry: { count: -1 }, delete: {} },
      'illegal_argument_exception',
      'Count for ActionRetry must be a non-negative number',
    ],
    [
      'an unknown backoff',
      { retry: { count: 1, backoff: 'fibonacci' }, delete: {} },
      'illegal_argument_exception',
      'No enum constant org.opensearch.indexmanagement.spi.indexstatemanagement.model.ActionRetry.Backoff.FIBONACCI',
    ],
    [
      'a bad retry delay',
      { retry: { count: 1, delay: '1x' }, delete: {} },
      'illegal_argument_exception',
      'failed to parse setting [delay] with value [1x] as a time value: unit is missing or unrecognized',
    ],
    [
      'retry as a number',
      { retry: 3, delete: {} },
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_OBJECT] but found [VALUE_NUMBER]',
    ],
    [
      'an empty custom wrapper',
      { custom: {} },
      'parsing_exception',
      'Failed to parse object: expecting token of type [FIELD_NAME] but found [END_OBJECT]',
    ],
    [
      'a custom wrapper with two types',
      { custom: { delete: {}, open: {} } },
      'parsing_exception',
      'Failed to parse object: expecting token of type [END_OBJECT] but found [FIELD_NAME]',
    ],
    [
      'an unknown custom type',
      { custom: { foo: {} } },
      'illegal_argument_exception',
      'Invalid field: [foo] found in Actions.',
    ],
    [
      'an action that is not an object',
      'delete',
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_OBJECT] but found [VALUE_STRING]',
    ],
  ])('%s is rejected', (_what, action, type, reason) => rejects(action, type, reason));
});

describe('actions without configuration', () => {
  test.each(['delete', 'read_only', 'read_write', 'open', 'close', 'stop_replication', 'search_only'])(
    '%s accepts {} and nothing else',
    (type) => {
      expect(firstAction(withActions({ [type]: {} }))).toEqual({ retry: DEFAULT_RETRY, [type]: {} });
      rejects(
        { [type]: { x: 1 } },
        'parsing_exception',
        'Failed to parse object: expecting token of type [END_OBJECT] but found [FIELD_NAME]',
      );
    },
  );
});

describe('rollover', () => {
  test('conditions are re-rendered and copy_alias is always present', () => {
    const a = firstAction(
      withActions({
        rollover: {
          min_index_age: '1D',
          min_size: '50GB',
          min_doc_count: '100',
          min_primary_shard_size: '10g',
        },
      }),
    );
    expect(a).toEqual({
      retry: DEFAULT_RETRY,
      rollover: {
        min_size: '50gb',
        min_doc_count: 100,
        min_index_age: '1d',
        min_primary_shard_size: '10gb',
        copy_alias: false,
      },
    });
    expect(Object.keys((a as { rollover: object }).rollover)).toEqual([
      'min_size',
      'min_doc_count',
      'min_index_age',
      'min_primary_shard_size',
      'copy_alias',
    ]);
  });

  test('a rollover without conditions rolls over unconditionally', () => {
    expect(firstAction(withActions({ rollover: {} }))).toEqual({
      retry: DEFAULT_RETRY,
      rollover: { copy_alias: false },
    });
  });

  test('prevent_empty_rollover is rendered only when true; any_of groups are normalized', () => {
    expect(
      firstAction(withActions({ rollover: { prevent_empty_rollover: false, copy_alias: true } })),
    ).toEqual({
      retry: DEFAULT_RETRY,
      rollover: { copy_alias: true },
    });
    expect(
      firstAction(
        withActions({
          rollover: {
            any_of: [{ min_index_age: '7D', min_size: '1GB' }, { min_doc_count: 5 }],
            prevent_empty_rollover: true,
          },
        }),
      ),
    ).toEqual({
      retry: DEFAULT_RETRY,
      rollover: {
        any_of: [{ min_size: '1gb', min_index_age: '7d' }, { min_doc_count: 5 }],
        copy_alias: false,
        prevent_empty_rollover: true,
      },
    });
  });

  test.each([
    [{ min_size: '0b' }, 'RolloverAction minSize value must be greater than 0'],
    [
      { min_primary_shard_size: '0' },
      'RolloverActionConfig minPrimaryShardSize value must be greater than 0',
    ],
    [{ min_doc_count: 0 }, 'RolloverAction minDocs value must be greater than 0'],
    [
      { min_doc_count: 1, any_of: [{ min_size: '1gb' }] },
      'RolloverAction cannot specify both flat conditions and [any_of] groups',
    ],
    [{ any_of: [] }, 'RolloverAction [any_of] must contain at least one condition group'],
    [{ any_of: [{}] }, 'A rollover condition group must contain at least one condition'],
    [{ any_of: [{ min_doc_count: 0 }] }, 'RolloverConditionGroup minDocs value must be greater than 0'],
    [{ any_of: [{ min_size: '0' }] }, 'RolloverConditionGroup minSize value must be greater than 0'],
    [{ any_of: [{ foo: 1 }] }, 'Invalid field: [foo] found in rollover condition group.'],
    [{ max_age: '1d' }, 'Invalid field: [max_age] found in RolloverAction.'],
    [{ copy_alias: 'yes' }, 'Failed to parse value [yes] as only [true] or [false] are allowed.'],
  ])('%j is rejected with %j', (rollover, reason) =>
    rejects({ rollover }, 'illegal_argument_exception', reason),
  );

  test('a size without unit is a parse_exception naming the field', () => {
    rejects(
      { rollover: { min_size: '50' } },
      'parse_exception',
      'failed to parse setting [min_size] with value [50] as a size in bytes: unit is missing or unrecognized',
    );
  });
});

describe('settings actions', () => {
  test.each([
    [{ replica_count: { number_of_replicas: '2' } }, { replica_count: { number_of_replicas: 2 } }],
    [{ index_priority: { priority: 50 } }, { index_priority: { priority: 50 } }],
    [{ force_merge: { max_num_segments: 1 } }, { force_merge: { max_num_segments: 1 } }],
    [
      { snapshot: { repository: 'repo', snapshot: 'snap' } },
      { snapshot: { repository: 'repo', snapshot: 'snap' } },
    ],
  ])('%j is accepted', (action, config) => {
    expect(firstAction(withActions(action))).toEqual({ retry: DEFAULT_RETRY, ...config });
  });

  test.each([
    [
      { replica_count: { number_of_replicas: -1 } },
      'ReplicaCountAction number_of_replicas value must be a non-negative number',
    ],
    [{ replica_count: { replicas: 1 } }, 'Invalid field: [replicas] found in ReplicaCountActionConfig.'],
    [
      { replica_count: {} },
      'org.opensearch.indexmanagement.indexstatemanagement.action.ReplicaCountAction$Companion@549a8a9c.NUMBER_OF_REPLICAS_FIELD is null',
    ],
    [
      { index_priority: { priority: -5 } },
      'IndexPriorityAction index_priority value must be a non-negative number',
    ],
    [
      { index_priority: { index_priority: 5 } },
      'Invalid field: [index_priority] found in IndexPriorityActionConfig.',
    ],
    [{ index_priority: {} }, 'priority is null'],
    [{ force_merge: { max_num_segments: 0 } }, 'Force merge {max_num_segments} must be greater than 0'],
    [{ force_merge: {} }, 'ForceMergeActionConfig maxNumSegments is null'],
    [{ force_merge: { segments: 1 } }, 'Invalid field: [segments] found in ForceMergeActionConfig.'],
    [{ snapshot: { snapshot: 's' } }, 'SnapshotAction repository must be specified'],
    [{ snapshot: { repository: 'r' } }, 'SnapshotAction snapshot must be specified'],
    [
      { snapshot: { repository: 'r', snapshot: 's', include_global_state: true } },
      'Invalid field: [include_global_state] found in SnapshotAction.',
    ],
  ])('%j is rejected with %j', (action, reason) => rejects(action, 'illegal_argument_exception', reason));

  test('a non-numeric replica count is a number_format_exception', () => {
    rejects(
      { replica_count: { number_of_replicas: 'two' } },
      'number_format_exception',
      'For input string: "two"',
    );
  });
});

describe('allocation', () => {
  test('renders all of require/include/exclude/wait_for, values as text', () => {
    expect(firstAction(withActions({ allocation: { require: { box_type: 'warm', zone: 1 } } }))).toEqual({
      retry: DEFAULT_RETRY,
      allocation: { require: { box_type: 'warm', zone: '1' }, include: {}, exclude: {}, wait_for: false },
    });
  });

  test.each([
    [{ wait_for: true }, 'At least one allocation parameter need to be specified.'],
    [{ require: {}, include: {} }, 'At least one allocation parameter need to be specified.'],
    [{ requires: { a: 'b' } }, 'Invalid field: [requires] found in AllocationAction.'],
  ])('%j is rejected with %j', (allocation, reason) =>
    rejects({ allocation }, 'illegal_argument_exception', reason),
  );
});

describe('alias', () => {
  test('alias becomes aliases, as AliasActions renders it', () => {
    const a = firstAction(
      withActions({
        alias: {
          actions: [
            { add: { alias: 'a', is_write_index: true, routing: '1' } },
            { remove: { aliases: ['b', 'c'] } },
          ],
        },
      }),
    );
    expect(a).toEqual({
      retry: DEFAULT_RETRY,
      alias: {
        actions: [
          { add: { aliases: ['a'], routing: '1', is_write_index: true } },
          { remove: { aliases: ['b', 'c'] } },
        ],
      },
    });
  });

  test.each([
    [{ actions: [] }, 'illegal_argument_exception', 'At least one alias action needs to be specified.'],
    [
      { actions: [{ remove_index: { index: 'x' } }] },
      'illegal_argument_exception',
      'Only ADD and REMOVE actions are allowed.',
    ],
    [
      { actions: [{ add: { index: 'i', alias: 'a' } }] },
      'illegal_argument_exception',
      "Alias action can only work on its applied index so don't accept index/indices parameter.",
    ],
    [{ actions: [{ add: {} }] }, 'illegal_argument_exception', 'At least one alias needs to be specified.'],
    [
      { actions: [{ add: { alias: 'a' }, remove: { alias: 'b' } }] },
      'illegal_argument_exception',
      'Too many operations declared on operation entry',
    ],
    [
      { actions: [{ add: { alias: 'a', foo: 1 } }] },
      'x_content_parse_exception',
      '[add] unknown field [foo]',
    ],
    [{ actions: [{ rename: {} }] }, 'x_content_parse_exception', '[alias_action] unknown field [rename]'],
    [{ action: [] }, 'illegal_argument_exception', 'Invalid field: [action] found in AliasAction.'],
  ])('%j is rejected with %s', (alias, type, reason) => rejects({ alias }, type, reason));
});

describe('shrink', () => {
  test('renders switch_aliases always and the target template as a mustache script', () => {
    const a = firstAction(
      withActions({
        shrink: {
          force_unsafe: true,
          max_shard_size: '10GB',
          target_index_name_template: '{{ctx.index}}_small',
          aliases: [{ 'a-1': {} }],
        },
      }),
    );
    expect(a).toEqual({
      retry: DEFAULT_RETRY,
      shrink: {
        max_shard_size: '10gb',
        target_index_name_template: { source: '{{ctx.index}}_small', lang: 'mustache' },
        aliases: [{ 'a-1': { is_write_index: null } }],
        switch_aliases: false,
        force_unsafe: true,
      },
    });
  });

  test.each([
    [{}, 'Exactly one option specifying the number of shards to shrink to must be used.'],
    [
      { num_new_shards: 1, percentage_of_source_shards: 0.5 },
      'Exactly one option specifying the number of shards to shrink to must be used.',
    ],
    [{ num_new_shards: 0 }, 'Shrink action numNewShards must be greater than 0.'],
    [{ max_shard_size: '0' }, 'Shrink action maxShardSize must be greater than 0.'],
    [
      { percentage_of_source_shards: 1 },
      'Percentage of source shards must be between 0.0 and 1.0 exclusively',
    ],
    [
      { num_new_shards: 1, target_index_name_template: { source: 'x', lang: 'painless' } },
      'Target index name template must be a mustache script',
    ],
    [{ num_new_shards: 1, wait: true }, 'Invalid field: [wait] found in ShrinkAction.'],
  ])('%j is rejected with %j', (shrink, reason) => rejects({ shrink }, 'illegal_argument_exception', reason));
});

describe('notification action', () => {
  test('a channel and a string template render as channel + mustache script', () => {
    expect(
      firstAction(
        withActions({ notification: { message_template: 'hi {{ctx.index}}', channel: { id: 'c1' } } }),
      ),
    ).toEqual({
      retry: DEFAULT_RETRY,
      notification: {
        channel: { id: 'c1' },
        message_template: { source: 'hi {{ctx.index}}', lang: 'mustache' },
      },
    });
  });

  test.each([
    [{ message_template: { source: 'x' } }, 'Notification must contain a destination or channel'],
    [
      {
        channel: { id: 'c' },
        destination: { slack: { url: 'https://s' } },
        message_template: { source: 'x' },
      },
      'Notification can only contain a single destination or channel',
    ],
    [
      { channel: { id: 'c' }, message_template: { source: 'x', lang: 'painless' } },
      'Notification message template must be a mustache script',
    ],
    [{ channel: { id: 'c' } }, 'NotificationAction message template is null'],
    [
      { channel: { id: 'c' }, message_template: 'x', subject: 'y' },
      'Invalid field: [subject] found in NotificationAction.',
    ],
  ])('%j is rejected with %j', (notification, reason) =>
    rejects({ notification }, 'illegal_argument_exception', reason),
  );
});

describe('rollup', () => {
  const rollup = (patch: Record<string, unknown> = {}) => ({
    rollup: {
      ism_rollup: {
        description: 'd',
        target_index: 'rolled-{{ctx.index}}',
        page_size: 200,
        dimensions: [
          { date_histogram: { source_field: 'ts', fixed_interval: '1h' } },
          { terms: { source_field: 'host' } },
        ],
        metrics: [{ source_field: 'bytes', metrics: [{ sum: {} }, { max: {} }] }],
        ...patch,
      },
    },
  });

  test('is normalized as ISMRollup renders it', () => {
    expect(firstAction(withActions(rollup()))).toEqual({
      retry: DEFAULT_RETRY,
      rollup: {
        ism_rollup: {
          description: 'd',
          target_index: 'rolled-{{ctx.index}}',
          page_size: 200,
          dimensions: [
            {
              date_histogram: {
                fixed_interval: '1h',
                source_field: 'ts',
                target_field: 'ts',
                timezone: 'UTC',
                format: null,
              },
            },
            { terms: { source_field: 'host', target_field: 'host' } },
          ],
          metrics: [{ source_field: 'bytes', metrics: [{ sum: {} }, { max: {} }] }],
        },
      },
    });
  });

  test.each([
    [{ page_size: 0 }, 'Page size must be between 1 and 10000'],
    [{ page_size: 10001 }, 'Page size must be between 1 and 10000'],
    [{ description: '' }, 'Description cannot be empty'],
    [{ target_index: '' }, 'Target Index cannot be empty'],
    [
      { dimensions: [{ terms: { source_field: 'h' } }] },
      'Must specify precisely one date histogram dimension',
    ],
    [
      {
        dimensions: [
          { terms: { source_field: 'h' } },
          { date_histogram: { source_field: 'ts', calendar_interval: '1d' } },
        ],
      },
      'The first dimension must be a date histogram',
    ],
    [
      { dimensions: [{ date_histogram: { source_field: 'ts' } }] },
      'Must specify a fixed or calendar interval',
    ],
    [
      {
        dimensions: [
          { date_histogram: { source_field: 'ts', fixed_interval: '1h', calendar_interval: '1d' } },
        ],
      },
      'Can only specify a fixed or calendar interval',
    ],
    [{ dimensions: [{ range: {} }] }, 'Invalid dimension type [range] found in dimensions'],
    [
      { metrics: [{ source_field: 'b', metrics: [] }] },
      'Must specify at least one metric to aggregate on for b',
    ],
    [
      { metrics: [{ source_field: 'b', metrics: [{ median: {} }] }] },
      'Invalid metric type [median] found in metrics',
    ],
    [{ source_index: 'x' }, 'Invalid field, [source_index] not supported in ISM Rollup.'],
  ])('%j is rejected with %j', (patch, reason) =>
    rejects(rollup(patch), 'illegal_argument_exception', reason),
  );

  test("an unknown date_histogram timezone is Java's zone_rules_exception (a 400 here)", () => {
    rejects(
      rollup({
        dimensions: [{ date_histogram: { source_field: 'ts', fixed_interval: '1h', timezone: 'Mars/Base' } }],
      }),
      'zone_rules_exception',
      'Unknown time-zone ID: Mars/Base',
    );
  });

  test('a rollup action without ism_rollup is rejected', () => {
    rejects({ rollup: {} }, 'illegal_argument_exception', 'RollupAction rollup is null');
  });
});

describe('transform', () => {
  const transform = (patch: Record<string, unknown> = {}) => ({
    transform: {
      ism_transform: {
        description: 'd',
        target_index: 't',
        page_size: 1,
        groups: [{ terms: { source_field: 'host', target_field: 'h' } }],
        ...patch,
      },
    },
  });

  test('defaults the query to match_all and the aggregations to {}', () => {
    expect(firstAction(withActions(transform()))).toEqual({
      retry: DEFAULT_RETRY,
      transform: {
        ism_transform: {
          description: 'd',
          target_index: 't',
          page_size: 1,
          data_selection_query: { match_all: { boost: 1.0 } },
          groups: [{ terms: { source_field: 'host', target_field: 'h' } }],
          aggregations: {},
        },
      },
    });
  });

  test.each([
    [{ groups: [] }, 'Groups cannot be empty'],
    [{ target_index: '' }, 'TargetIndex cannot be empty'],
    [{ aggregations: { t: { terms: { field: 'x' } } } }, 'Unsupported aggregation [terms]'],
    [{ continuous: true }, 'Invalid field [continuous] found in ISM Transform.'],
  ])('%j is rejected with %j', (patch, reason) =>
    rejects(transform(patch), 'illegal_argument_exception', reason),
  );
});

describe('convert_index_to_remote (3.x)', () => {
  test('defaults are not rendered', () => {
    expect(
      firstAction(
        withActions({
          convert_index_to_remote: {
            repository: 'r',
            snapshot: '{{ctx.index}}',
            rename_pattern: '$1_remote',
            include_aliases: false,
          },
        }),
      ),
    ).toEqual({
      retry: DEFAULT_RETRY,
      convert_index_to_remote: { repository: 'r', snapshot: '{{ctx.index}}' },
    });
  });

  test.each([
    [{ snapshot: 's' }, 'ConvertIndexToRemoteAction repository must be specified'],
    [{ repository: 'r' }, 'ConvertIndexToRemoteAction snapshot must be specified'],
    [
      { repository: 'r', snapshot: 's', rename_pattern: 'remote' },
      'ConvertIndexToRemoteAction rename_pattern must contain $1',
    ],
    [{ repository: 'r', snapshot: 's', foo: 1 }, 'Invalid field: [foo] found in ConvertIndexToRemoteAction.'],
  ])('%j is rejected with %j', (c, reason) =>
    rejects({ convert_index_to_remote: c }, 'illegal_argument_exception', reason),
  );
});
