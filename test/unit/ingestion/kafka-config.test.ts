import { parseIngestionSource } from '../../../lambdas/ingestion/model';
import { describeKafkaPosition } from '../../../lambdas/ingestion/sources/positions';
import { parseKafkaParams } from '../../../lambdas/ingestion/sources/kafka-config';
import { OpenSearchError } from '../../../lambdas/shared/errors';

const base = { topic: 'orders', bootstrap_servers: 'b-1.msk:9096,b-2.msk:9096' };

describe('kafka params (param.* of a kafka ingestion source)', () => {
  test('plain defaults: no TLS, no SASL, auto.offset.reset none as in OpenSearch', () => {
    expect(parseKafkaParams(base)).toEqual({
      topic: 'orders',
      brokers: ['b-1.msk:9096', 'b-2.msk:9096'],
      clientId: undefined,
      ssl: false,
      sasl: undefined,
      readCommitted: false,
      autoOffsetReset: 'none',
      requestTimeoutMs: undefined,
      maxPartitionFetchBytes: 1024 * 1024,
      fetchMaxBytes: 50 * 1024 * 1024,
    });
  });

  test('SASL/SCRAM over TLS takes its credentials from the JAAS line, as the Java consumer does', () => {
    const settings = parseKafkaParams({
      ...base,
      'security.protocol': 'sasl_ssl',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="p\\"w";',
      'isolation.level': 'read_committed',
      'auto.offset.reset': 'earliest',
      'client.id': 'ingest',
      'linger.ms': '5', // a consumer property we do not use: accepted, ignored
    });
    expect(settings).toMatchObject({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'p"w' },
      readCommitted: true,
      autoOffsetReset: 'earliest',
      clientId: 'ingest',
    });
  });

  test.each([
    [{ bootstrap_servers: 'broker' }, 'expected host:port'],
    [{ 'security.protocol': 'TLS' }, 'param.security.protocol'],
    [{ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'AWS_MSK_IAM' }, 'param.sasl.mechanism'],
    [{ 'security.protocol': 'SASL_SSL' }, 'GSSAPI'],
    [{ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN' }, 'param.sasl.jaas.config'],
    [{ 'ssl.truststore.location': '/etc/kafka.jks' }, 'param.ssl.truststore.location'],
    [{ 'isolation.level': 'serializable' }, 'param.isolation.level'],
    [{ 'max.partition.fetch.bytes': '-1' }, 'param.max.partition.fetch.bytes'],
  ])('%j is a 400 that names the setting', (params, reason) => {
    let error: unknown;
    try {
      parseKafkaParams({ ...base, ...params });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OpenSearchError);
    expect((error as OpenSearchError).status).toBe(400);
    expect((error as OpenSearchError).message).toContain(reason);
  });

  test('a kafka source validates its params and its offset at index creation', () => {
    const source = parseIngestionSource({
      type: 'kafka',
      'pointer.init.reset': 'reset_by_offset',
      'pointer.init.reset.value': 42,
      'param.topic': 'orders',
      'param.bootstrap_servers': '127.0.0.1:9092',
    });
    expect(source.pointerInitReset).toEqual({ at: 'offset', value: '42' });
    expect(() =>
      parseIngestionSource({ type: 'kafka', 'param.topic': 'orders', 'param.bootstrap_servers': 'x' }),
    ).toThrow('expected host:port');
  });

  test('batch_start_pointer reads as OpenSearch prints a KafkaOffset', () => {
    expect(describeKafkaPosition({ at: 'offset', value: '12' })).toBe('KafkaOffset{offset=12}');
    expect(describeKafkaPosition({ at: 'after', value: '12' })).toBe('KafkaOffset{offset=13}');
    expect(describeKafkaPosition({ at: 'earliest' })).toBeUndefined();
  });
});
