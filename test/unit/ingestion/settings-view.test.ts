import { parseIngestionSource } from '../../../lambdas/ingestion/model';
import {
  addIngestionSettings,
  ingestionSettings,
  nestSettings,
  parseNames,
  simpleMatch,
} from '../../../lambdas/ingestion/settings-view';

const SOURCE = parseIngestionSource({
  type: 'kafka',
  'pointer.init.reset': 'reset_by_offset',
  'pointer.init.reset.value': 5,
  'poll.max_batch_size': 100,
  'param.topic': 'orders',
  'param.bootstrap_servers': '127.0.0.1:9092',
});

describe('the ingestion settings GET _settings shows', () => {
  test('are what the user set, values as strings, no defaults', () => {
    expect(ingestionSettings(SOURCE)).toEqual({
      'index.ingestion_source.type': 'kafka',
      'index.ingestion_source.pointer.init.reset': 'reset_by_offset',
      'index.ingestion_source.pointer.init.reset.value': '5',
      'index.ingestion_source.poll.max_batch_size': '100',
      'index.ingestion_source.param.topic': 'orders',
      'index.ingestion_source.param.bootstrap_servers': '127.0.0.1:9092',
    });
  });

  test('come from the parsed source for items registered before the settings were kept', () => {
    const legacy = { ...SOURCE, settings: undefined };
    expect(ingestionSettings(legacy)).toMatchObject({
      'index.ingestion_source.type': 'kafka',
      'index.ingestion_source.pointer.init.reset.value': '5',
      'index.ingestion_source.error_strategy': 'DROP',
      'index.ingestion_source.param.topic': 'orders',
    });
  });

  test('nest as Settings.getAsStructuredMap: a value that is also a prefix keeps the rest dotted', () => {
    expect(nestSettings({ 'a.init.reset': 'x', 'a.init.reset.value': '5', 'a.type': 't' })).toEqual({
      a: { init: { reset: 'x', 'reset.value': '5' }, type: 't' },
    });
  });

  test('names match as Regex.simpleMatch, `_all` means every setting', () => {
    expect(simpleMatch('index.ingestion_source.*', 'index.ingestion_source.param.topic')).toBe(true);
    expect(simpleMatch('index.number_of_shards', 'index.number_of_shards')).toBe(true);
    expect(simpleMatch('*.topic', 'index.ingestion_source.param.topic')).toBe(true);
    expect(simpleMatch('index.ingestion_source', 'index.ingestion_source.type')).toBe(false);
    expect(parseNames('_all')).toEqual([]);
    expect(parseNames('a,b*')).toEqual(['a', 'b*']);
  });

  test('are added to registered indices only; an index emptied by the names filter drops out', () => {
    const ours = new Map([['i', { settings: ingestionSettings(SOURCE), uuid: 'u1' }]]);
    const answer = {
      i: { settings: { 'index.uuid': 'u1', 'index.number_of_shards': '1' } },
      plain: { settings: { 'index.uuid': 'u2' } },
    };
    const body = addIngestionSettings(answer, ours, {
      flat: true,
      names: ['index.ingestion_source.param.*'],
      includeDefaults: false,
      probe: 'index.uuid',
    });
    expect(body).toEqual({
      i: {
        settings: {
          'index.ingestion_source.param.bootstrap_servers': '127.0.0.1:9092',
          'index.ingestion_source.param.topic': 'orders',
          'index.number_of_shards': '1',
        },
      },
    });
  });

  test('set settings are no defaults', () => {
    const ours = new Map([['i', { settings: ingestionSettings(SOURCE) }]]);
    const answer = {
      i: {
        settings: { index: { uuid: 'u' } },
        defaults: {
          index: { ingestion_source: { type: 'none', error_strategy: 'DROP' }, refresh_interval: '1s' },
        },
      },
    };
    const body = addIngestionSettings(answer, ours, { flat: false, names: [], includeDefaults: true }) as {
      i: { settings: { index: Record<string, unknown> }; defaults: unknown };
    };
    expect(body.i.settings.index.ingestion_source).toMatchObject({
      type: 'kafka',
      param: { topic: 'orders' },
    });
    expect(body.i.defaults).toEqual({
      index: { ingestion_source: { error_strategy: 'DROP' }, refresh_interval: '1s' },
    });
  });

  test('are not added to an index of the same name created again (another index.uuid)', () => {
    const ours = new Map([['i', { settings: ingestionSettings(SOURCE), uuid: 'old' }]]);
    const answer = { i: { settings: { index: { uuid: 'new', number_of_shards: '1' } } } };
    expect(addIngestionSettings(answer, ours, { flat: false, names: [], includeDefaults: false })).toEqual(
      answer,
    );
  });
});
