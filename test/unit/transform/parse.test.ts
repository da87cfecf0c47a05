import { OpenSearchError } from '../../../lambdas/shared/errors';
import { parseJsonBody } from '../../../lambdas/shared/json-body';
import { parseAggregations } from '../../../lambdas/transform/job/aggregations';
import { changedImmutableFields, parseTransform } from '../../../lambdas/transform/job/parse';
import { renderQuery } from '../../../lambdas/transform/job/query';
import { mappingIssues } from '../../../lambdas/transform/cluster/validate';

/** A transform body as a user sends it, and what the plugin stores and refuses. */
const NOW = Date.UTC(2026, 0, 2);

const body = (extra: Record<string, unknown> = {}) => ({
  enabled: false,
  schedule: { interval: { period: 1, unit: 'Minutes' } },
  description: 'sales per category and day',
  source_index: 'sales',
  target_index: 'sales-by-day',
  page_size: 100,
  groups: [
    { terms: { source_field: 'category', target_field: 'category' } },
    { date_histogram: { source_field: 'ts', target_field: 'day', calendar_interval: '1d' } },
  ],
  aggregations: { total: { sum: { field: 'price' } } },
  ...extra,
});

const parse = (extra: Record<string, unknown> = {}, create = true) =>
  parseTransform(body(extra), { id: 'sales', now: NOW, create });

const error = (f: () => unknown): { status: number; type: string; reason: string } => {
  try {
    f();
  } catch (e) {
    if (e instanceof OpenSearchError) return { status: e.status, type: e.type, reason: e.reason };
    throw e;
  }
  throw new Error('expected an error');
};

describe('a transform as the plugin stores it', () => {
  it('fills in the defaults the plugin writes: schema 21, start time now, UTC, format null, boost', () => {
    const job = parse();
    expect(job).toEqual({
      transform_id: 'sales',
      schema_version: 21,
      schedule: { interval: { start_time: NOW, period: 1, unit: 'Minutes' } },
      metadata_id: null,
      updated_at: NOW,
      enabled: false,
      enabled_at: null,
      description: 'sales per category and day',
      source_index: 'sales',
      data_selection_query: { match_all: { boost: 1 } },
      target_index: 'sales-by-day',
      page_size: 100,
      groups: [
        { terms: { source_field: 'category', target_field: 'category' } },
        {
          date_histogram: {
            calendar_interval: '1d',
            source_field: 'ts',
            target_field: 'day',
            timezone: 'UTC',
            format: null,
          },
        },
      ],
      aggregations: { total: { sum: { field: 'price' } } },
      continuous: false,
    });
  });

  it('an enabled job is enabled now; a new job forgets the metadata id it was sent, an update keeps it', () => {
    expect(parse({ enabled: true }).enabled_at).toBe(NOW);
    expect(parse({ metadata_id: 'abc' }).metadata_id).toBeNull();
    expect(parse({ metadata_id: 'abc' }, false).metadata_id).toBe('abc');
  });

  it.each([
    [{ groups: [] }, 'Groupings are Empty'],
    [{ target_index: 'sales' }, 'Source and target indices cannot be the same'],
    [{ page_size: 0 }, 'Page size must be between 1 and 10,000'],
    [{ page_size: 10_001 }, 'Page size must be between 1 and 10,000'],
    [{ page_size: 1_001, continuous: true }, 'Page size must be between 1 and 1,000'],
    [{ colour: 'red' }, 'Invalid field [colour] found in Transforms.'],
    [{ aggregations: { t: { terms: { field: 'x' } } } }, 'Unsupported aggregation [terms]'],
    [
      { schedule: { interval: { period: 0, unit: 'Minutes' } } },
      'Transform job schedule interval must be greater than 0',
    ],
    [{ description: undefined }, 'Transform description is null'],
    [{ page_size: undefined }, 'Transform page size is null'],
  ])('refuses %j: %s', (extra, reason) => {
    const e = error(() =>
      parseTransform(JSON.parse(JSON.stringify(body(extra))), { id: 'sales', now: NOW, create: true }),
    );
    expect(e).toEqual({ status: 400, type: 'illegal_argument_exception', reason });
  });

  it('checks the schedule before the groups, and the groups before source = target (the plugin order)', () => {
    expect(error(() => parse({ groups: [], target_index: 'sales' })).reason).toBe('Groupings are Empty');
  });

  it('names every immutable field an update changes, in the plugin order', () => {
    const before = parse();
    const after = parse({ target_index: 'other', continuous: true, page_size: 10, description: 'x' });
    expect(changedImmutableFields(before, after)).toEqual(['target_index', 'continuous']);
  });
});

describe('queries and aggregations as OpenSearch renders them', () => {
  it('spells out the builders defaults', () => {
    expect(renderQuery({ term: { region: 'eu' } })).toEqual({ term: { region: { value: 'eu', boost: 1 } } });
    expect(renderQuery({ range: { qty: { gte: 1, lt: 3 } } })).toEqual({
      range: { qty: { from: 1, to: 3, include_lower: true, include_upper: false, boost: 1 } },
    });
    expect(renderQuery({ bool: { filter: { exists: { field: 'a' } } } })).toEqual({
      bool: { filter: [{ exists: { field: 'a', boost: 1 } }], adjust_pure_negative: true, boost: 1 },
    });
  });

  it('refuses an unknown query or aggregation type with a parse error', () => {
    expect(error(() => renderQuery({ nope: {} }))).toEqual({
      status: 400,
      type: 'parsing_exception',
      reason: 'unknown query [nope]',
    });
    expect(error(() => parseAggregations({ a: { sums: { field: 'x' } } })).reason).toBe(
      'Unknown aggregation type [sums]',
    );
    expect(error(() => parseAggregations({ a: {} })).reason).toBe('Missing definition for aggregation [a]');
  });

  it('renders percentiles with their defaults and scripts with their language', () => {
    expect(parseAggregations({ p: { percentiles: { field: 'price' } } })).toEqual({
      p: {
        percentiles: {
          field: 'price',
          percents: [1, 5, 25, 50, 75, 95, 99],
          keyed: true,
          tdigest: { compression: 100 },
        },
      },
    });
    expect(parseAggregations({ s: { scripted_metric: { map_script: 'state.x = 1' } } })).toEqual({
      s: { scripted_metric: { map_script: { source: 'state.x = 1', lang: 'painless' } } },
    });
  });
});

describe('source mappings', () => {
  const mappings = {
    sales: { properties: { category: { type: 'text' }, ts: { type: 'keyword' }, price: { type: 'double' } } },
  };

  it('names every group that cannot be realized, as the plugin words it', () => {
    expect(mappingIssues(parse(), mappings)).toEqual([
      'Cannot find field [category] that can be grouped as [terms] in [sales].',
      'Cannot find field [ts] that can be grouped as [date_histogram] in [sales].',
    ]);
  });
});

describe('malformed JSON bodies', () => {
  it.each([
    ['{"transform": ', 'json_e_o_f_exception', 'Unexpected end-of-input within/between Object entries', 15],
    [
      '{"a": 1',
      'json_e_o_f_exception',
      'Unexpected end-of-input: expected close marker for OBJECT (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])',
      8,
    ],
    [
      '{"a" 1}',
      'json_parse_exception',
      "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value",
      7,
    ],
  ])('%s fails as Jackson fails', (text, type, message, column) => {
    const e = error(() => parseJsonBody(text));
    expect(e.type).toBe(type);
    expect(e.reason).toBe(
      `${message}\n at [Source: REDACTED (\`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION\` disabled); line: 1, column: ${column}]`,
    );
  });
});
