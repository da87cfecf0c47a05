import { illegalArgument } from '../../shared/errors';

/**
 * `index.ingestion_source.param.*` of a `kafka` source, as OpenSearch's ingestion-kafka plugin
 * names them: `topic`, `bootstrap_servers`, and Kafka consumer properties passed through. We read
 * the properties a Node client can honour (below); other consumer properties are accepted and
 * ignored, as the Java consumer ignores unknown ones. Security settings we cannot honour are
 * refused at index creation rather than failing later on every poll.
 */
export interface KafkaSettings {
  readonly topic: string;
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** `security.protocol` SSL or SASL_SSL. */
  readonly ssl: boolean;
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
  readonly readCommitted: boolean;
  /**
   * `auto.offset.reset`: where to go when the position is out of the log's range, or a
   * timestamp reset finds no record; OpenSearch defaults it to `none` (fail).
   */
  readonly autoOffsetReset: 'earliest' | 'latest' | 'none';
  readonly requestTimeoutMs?: number;
  readonly maxPartitionFetchBytes: number;
  readonly fetchMaxBytes: number;
}

const param = (key: string): string => `index.ingestion_source.param.${key}`;

const oneOf = <T extends string>(
  key: string,
  raw: string | undefined,
  values: readonly T[],
): T | undefined => {
  if (raw === undefined || raw === '') return undefined;
  const v = raw.toLowerCase() as T;
  if (!values.includes(v)) {
    throw illegalArgument(
      `Invalid value [${raw}] for setting [${param(key)}]: expected one of ${values.join(', ')}`,
    );
  }
  return v;
};

const positive = (key: string, raw: string | undefined): number | undefined => {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw illegalArgument(`Invalid value [${raw}] for setting [${param(key)}]: must be a positive integer`);
  }
  return n;
};

/** `username="u" password="p"` out of a PlainLoginModule / ScramLoginModule JAAS line. */
const jaasCredentials = (jaas: string): { username: string; password: string } | undefined => {
  const read = (name: string): string | undefined =>
    new RegExp(`${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(jaas)?.[1]?.replace(/\\(.)/g, '$1');
  const username = read('username');
  const password = read('password');
  return username !== undefined && password !== undefined ? { username, password } : undefined;
};

export const parseKafkaParams = (params: Readonly<Record<string, string>>): KafkaSettings => {
  const brokers = (params.bootstrap_servers ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const b of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(b)) {
      throw illegalArgument(
        `Invalid value [${params.bootstrap_servers}] for setting [${param('bootstrap_servers')}]: expected host:port[,host:port...]`,
      );
    }
  }
  const protocol = (params['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw illegalArgument(
      `Invalid value [${params['security.protocol']}] for setting [${param('security.protocol')}]: expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`,
    );
  }
  for (const key of ['ssl.keystore.location', 'ssl.truststore.location']) {
    if (params[key]) {
      throw illegalArgument(
        `[${param(key)}] is not supported by this control plane (no Java key stores); TLS uses the trusted CAs of Node.js`,
      );
    }
  }
  let sasl: KafkaSettings['sasl'];
  if (protocol.startsWith('SASL_')) {
    const raw = params['sasl.mechanism'] ?? 'GSSAPI';
    const mechanism = raw.toLowerCase();
    if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
      throw illegalArgument(
        `[${param('sasl.mechanism')}] = [${raw}] is not supported by this control plane; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (for Amazon MSK: SASL/SCRAM)`,
      );
    }
    const credentials = jaasCredentials(params['sasl.jaas.config'] ?? '');
    if (!credentials) {
      throw illegalArgument(
        `setting [${param('sasl.jaas.config')}] with username="..." password="..." is required for [${param('security.protocol')}] = ${protocol}`,
      );
    }
    sasl = { mechanism, ...credentials };
  }
  const isolation = oneOf('isolation.level', params['isolation.level'], [
    'read_uncommitted',
    'read_committed',
  ]);
  return {
    topic: params.topic,
    brokers,
    clientId: params['client.id'] || undefined,
    ssl: protocol === 'SSL' || protocol === 'SASL_SSL',
    sasl,
    readCommitted: isolation === 'read_committed',
    autoOffsetReset:
      oneOf('auto.offset.reset', params['auto.offset.reset'], ['earliest', 'latest', 'none']) ?? 'none',
    requestTimeoutMs: positive('request.timeout.ms', params['request.timeout.ms']),
    maxPartitionFetchBytes:
      positive('max.partition.fetch.bytes', params['max.partition.fetch.bytes']) ?? 1024 * 1024,
    fetchMaxBytes: positive('fetch.max.bytes', params['fetch.max.bytes']) ?? 50 * 1024 * 1024,
  };
};
