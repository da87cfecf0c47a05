import {
  cannotIngestNatively,
  deploymentMode,
  ingestionOwner,
  requestMode,
  sourceType,
} from '../../../lambdas/ingestion/native';
import { OpenSearchError } from '../../../lambdas/shared/errors';

describe('ingestion mode', () => {
  test('the deployment default is control-plane; the request parameter overrides it', () => {
    expect(deploymentMode({})).toBe('control-plane');
    expect(deploymentMode({ INGESTION_MODE: 'Native' })).toBe('native');
    expect(() => deploymentMode({ INGESTION_MODE: 'both' })).toThrow(/INGESTION_MODE must be one of/);
    expect(requestMode(undefined, 'native')).toBe('native');
    expect(requestMode('control-plane', 'native')).toBe('control-plane');
    expect(requestMode('native', 'control-plane')).toBe('native');
    expect(() => requestMode('', 'native')).toThrow(OpenSearchError);
    expect(() => requestMode('cluster', 'native')).toThrow(
      'request parameter [ingestion] must be one of control-plane, native, got [cluster]',
    );
  });

  test('the source type from nested or dotted settings', () => {
    expect(sourceType({ ingestion_source: { type: 'kafka' } })).toBe('kafka');
    expect(sourceType({ 'index.ingestion_source.type': 'kinesis' })).toBe('kinesis');
    expect(sourceType({ index: { ingestion_source: { param: { topic: 't' } } } })).toBeUndefined();
    expect(sourceType(undefined)).toBeUndefined();
  });
});

describe('whether the cluster can ingest a type natively', () => {
  const kafkaNode = { node: 'a', plugins: ['ingestion-kafka'] };
  test('every node needs the plugin of the type', () => {
    expect(cannotIngestNatively('kafka', [kafkaNode])).toBeUndefined();
    expect(cannotIngestNatively('kafka', [kafkaNode, { node: 'b', plugins: [] }])).toMatch(
      /^the cluster cannot ingest \[kafka\] natively: nodes \[b\] do not have the \[ingestion-kafka\] plugin/,
    );
    expect(cannotIngestNatively('kinesis', [kafkaNode])).toMatch(
      /no node has the \[ingestion-kinesis\] plugin .*\?ingestion=control-plane/,
    );
    expect(cannotIngestNatively('file', [])).toMatch(/no node has the \[ingestion-fs\] plugin/);
  });

  test('a type we do not know is left to the cluster', () => {
    expect(cannotIngestNatively('pulsar', [])).toBeUndefined();
  });
});

describe('who answers pause, resume and _state', () => {
  const native = { name: 'n', nativeSource: 'kafka' };
  const ours = { name: 'o' };
  const plain = { name: 'p' };
  test('the cluster for its own indices, we for ours and for indices without a source', () => {
    expect(ingestionOwner([native], new Set())).toBe('cluster');
    expect(ingestionOwner([native, plain], new Set())).toBe('cluster');
    expect(ingestionOwner([ours, plain], new Set(['o']))).toBe('control-plane');
    expect(ingestionOwner([plain], new Set())).toBe('control-plane');
  });

  test('a request over both kinds is refused with the names to split it by', () => {
    expect(() => ingestionOwner([native, ours], new Set(['o']))).toThrow(
      'indices [n] are ingested by the cluster and [o] by the control plane; send one request for each',
    );
  });
});
