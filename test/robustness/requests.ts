import fc from 'fast-check';
import type { CatalogueEntry } from './catalogue';

/**
 * fast-check arbitraries for requests a confused or hostile client sends: every operation of
 * the route table, its sample event's path parameters, query and body mutated (wrong types,
 * dropped and unknown fields, huge, negative and fractional numbers, deep nesting, invalid
 * UTF-8, NUL and control characters, very long ids and names, unicode), bad query values and
 * odd paths.
 */
export interface FuzzRequest {
  /** The operation the request was derived from (the path may now match another, or none). */
  readonly operation: string;
  readonly method: string;
  /** Percent-encoded path, as sent. */
  readonly path: string;
  /** Raw query string, without `?`. */
  readonly query: string;
  readonly body?: Buffer;
  readonly contentType?: string;
  /** What was done to the sample, for the report. */
  readonly mutation: string;
}

/** UTF-8 percent-encoding that never throws (a lone surrogate becomes U+FFFD, as Java's encoder does). */
export const encode = (s: string): string =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

const ODD_STRINGS = [
  '',
  ' ',
  '_x',
  '.',
  '..',
  '*',
  'a,b',
  'a b',
  '#',
  'UPPER',
  'null',
  'true',
  '-1',
  '1e309',
  'NaN',
  '日本語',
  '\u0000',
  'a\u0000b',
  '\n',
  '\t',
  '\u007f',
  '\u0085',
  '\ud800',
  '\uffff',
  '\u202e',
  '🙂',
  '<script>',
  "'",
  '"',
  '\\',
  '/',
  '?',
  '&',
  '=',
  '%',
  '%00',
  '${jndi:x}',
  'a'.repeat(513),
  'é'.repeat(300),
];

export const oddString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...ODD_STRINGS), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 2 },
  { arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,15}$/), weight: 2 },
  // Long, but the request line stays under node's 16 KB header limit (a 431 before any handler).
  { arbitrary: fc.integer({ min: 1000, max: 5000 }).map((n) => 'x'.repeat(n)), weight: 1 },
);

/** A few ids shared by every case, so creates, updates and deletes meet the same documents. */
const POOL = ['fz-a', 'fz-b', 'fz-c', 'fz-index-000001'];

const idArbitrary = (sample: string | undefined): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constant(sample ?? 'fz-a'), weight: 4 },
    { arbitrary: fc.constantFrom(...POOL), weight: 3 },
    { arbitrary: oddString, weight: 4 },
  );

/** A path segment's raw text: usually encoded, sometimes a malformed or tricky escape. */
const segmentArbitrary = (sample: string | undefined): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: idArbitrary(sample).map(encode), weight: 12 },
    {
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%E0%A4%A',
        '%C0%AF',
        '%ED%A0%80',
        '%2F',
        '%2e%2e',
        '%FF%FE',
        'a%',
        '%%',
      ),
      weight: 2,
    },
  );

/** Odd shapes of a filled-in path: trailing or doubled slashes, extra or missing segments. */
const pathShape = fc.constantFrom(
  'as-is',
  'as-is',
  'as-is',
  'as-is',
  'as-is',
  'as-is',
  'trailing-slash',
  'double-slash',
  'extra-segment',
  'drop-last',
  'upper-case',
  'swap-prefix',
  'dot-segment',
);

const reshape = (path: string, shape: string): string => {
  switch (shape) {
    case 'trailing-slash':
      return `${path}/`;
    case 'double-slash':
      return path.replace('/', '//');
    case 'extra-segment':
      return `${path}/extra`;
    case 'drop-last':
      return path.split('/').slice(0, -1).join('/') || '/';
    case 'upper-case':
      return path.toUpperCase();
    case 'swap-prefix':
      return path.startsWith('/_plugins/')
        ? path.replace('/_plugins/', '/_opendistro/')
        : path.replace('/_opendistro/', '/_plugins/');
    case 'dot-segment':
      return path.replace(/\/([^/]+)$/, '/../$1');
    default:
      return path;
  }
};

const QUERY_VALUES = [
  '',
  'true',
  'false',
  '-1',
  '0',
  '1',
  '1.5',
  '2147483648',
  '9223372036854775808',
  '99999999999999999999',
  'NaN',
  '1e3',
  'abc',
  '*',
  'a,b',
  ' ',
  '日本',
  'wait_for',
  'asc',
  'desc',
];

const queryValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...QUERY_VALUES).map(encode), weight: 5 },
  { arbitrary: fc.integer().map(String), weight: 1 },
  { arbitrary: fc.double().map(String), weight: 1 },
  { arbitrary: oddString.map(encode), weight: 2 },
  { arbitrary: fc.constantFrom('%', '%zz', '%00', '%C0', '%E0%A4%A'), weight: 1 },
);

const queryArbitrary = (op: CatalogueEntry): fc.Arbitrary<{ query: string; note: string }> =>
  fc
    .record({
      keepSample: fc.boolean(),
      extra: fc.array(
        fc.record({
          name: fc.oneof(
            { arbitrary: fc.constantFrom(...op.params), weight: 4 },
            { arbitrary: fc.constantFrom('foo', 'if_seq_no', 'size', 'from', '', 'a b'), weight: 1 },
          ),
          value: fc.option(queryValue, { nil: undefined, freq: 8 }),
        }),
        { maxLength: 3 },
      ),
    })
    .map(({ keepSample, extra }) => {
      const parts = keepSample
        ? Object.entries(op.sample.query).map(([k, v]) => `${encode(k)}=${encode(v)}`)
        : [];
      let traced = false;
      for (const { name, value } of extra) {
        if (name === 'error_trace') {
          if (traced) continue;
          traced = true;
        }
        // The cluster never answers a non-boolean error_trace (OpenSearch's RestController reads
        // it outside its error handling; two of them read as `true,false`), so a passed-through
        // one would only wait for a timeout.
        const v =
          name === 'error_trace' && value !== undefined ? (value.length % 2 ? 'true' : 'false') : value;
        parts.push(v === undefined ? encode(name) : `${encode(name)}=${v}`);
      }
      return {
        query: parts.join('&'),
        note: extra.length ? `query+${extra.map((e) => e.name).join(',')}` : '',
      };
    });

const pathArbitrary = (op: CatalogueEntry): fc.Arbitrary<{ path: string; note: string }> =>
  fc.constantFrom(...op.paths).chain((template) => {
    const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    return fc
      .record({
        values: fc.tuple(...names.map((n) => segmentArbitrary(op.sample.pathParams[n]))),
        shape: pathShape,
      })
      .map(({ values, shape }) => {
        let i = 0;
        const filled = template.replace(/\{[^}]+\}/g, () => values[i++] ?? 'x');
        return { path: reshape(filled, shape), note: shape === 'as-is' ? '' : shape };
      });
  });

// --- bodies -------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Numbers JSON.stringify cannot write: spliced into the text in place of a marker string. */
const RAW_NUMBERS = [
  '1e400',
  '-1e400',
  '-0',
  '12345678901234567890123',
  '0.0000000000000000000001',
  '1E2',
  '01',
];

const deep = (depth: number, leaf: Json = 1): Json => {
  let v: Json = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

const oddValue: fc.Arbitrary<Json> = fc.oneof(
  {
    arbitrary: fc.constantFrom<Json>(
      null,
      true,
      false,
      0,
      -1,
      1.5,
      -0.0001,
      1e308,
      -1e308,
      2 ** 53 + 2,
      2 ** 31,
      -(2 ** 63),
      '',
      'x',
      '\u0000',
      'a\u0000b',
      '-1',
      '1.5',
      'true',
      '7d',
      '-7d',
      '0s',
      '1000000000000000000d',
      '50gb',
      '-50gb',
      '1.5.5',
      '* * * * *',
      '日本',
      '\ud800',
      [],
      {},
      [null],
      { '': null },
    ),
    weight: 6,
  },
  { arbitrary: fc.constantFrom(...RAW_NUMBERS).map((n) => `\u0001RAW${n}\u0001`), weight: 1 },
  // Beyond the 1000 levels the edge takes, and small enough for JSON.stringify's own stack.
  { arbitrary: fc.integer({ min: 20, max: 1200 }).map((d) => deep(d)), weight: 1 },
  { arbitrary: fc.integer({ min: 1000, max: 400_000 }).map((n) => 'y'.repeat(n)), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, weight: 2 },
  { arbitrary: oddString, weight: 2 },
);

interface Slot {
  readonly parent: Json[] | { [k: string]: Json } | undefined;
  readonly key: string | number | undefined;
  readonly value: Json;
}

/**
 * Every place in the document (the root first), for mutations to pick from; not below 64 levels
 * (a mutation deep inside a nested chain tells nothing more, and the walk stays off the stack).
 */
const slots = (root: Json): Slot[] => {
  const out: Slot[] = [{ parent: undefined, key: undefined, value: root }];
  const pending: { value: Json; depth: number }[] = [{ value: root, depth: 0 }];
  while (pending.length > 0) {
    const { value: v, depth } = pending.pop() as { value: Json; depth: number };
    if (depth >= 64) continue;
    const children: [string | number, Json][] = Array.isArray(v)
      ? v.map((c, i) => [i, c])
      : v && typeof v === 'object'
        ? Object.entries(v)
        : [];
    for (const [key, value] of children) {
      out.push({ parent: v as Slot['parent'], key, value });
      pending.push({ value, depth: depth + 1 });
    }
  }
  return out;
};

const MUTATIONS = ['replace', 'replace', 'replace', 'drop', 'add', 'wrap', 'unwrap', 'duplicate'] as const;

interface Mutation {
  readonly kind: (typeof MUTATIONS)[number];
  readonly at: number;
  readonly value: Json;
  readonly key: string;
}

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom(...MUTATIONS),
  at: fc.nat(),
  value: oddValue,
  key: fc.oneof(fc.constantFrom('unknown_field', '', 'policy', '_id', 'a.b', '\u0000'), oddString),
});

const applyMutation = (root: Json, mutation: Mutation): Json => {
  // The arbitraries hand out shared values (the constant `[]` of every case): what goes into
  // the document is a copy, so that no mutation ever changes a later case's values.
  const m = { ...mutation, value: structuredClone(mutation.value) };
  const all = slots(root);
  const slot = all[m.at % all.length];
  const put = (value: Json): Json => {
    if (slot.parent === undefined) return value;
    (slot.parent as Record<string | number, Json>)[slot.key as string | number] = value;
    return root;
  };
  switch (m.kind) {
    case 'replace':
      return put(m.value);
    case 'drop':
      if (slot.parent === undefined) return {};
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
      return root;
    case 'add':
      if (slot.value && typeof slot.value === 'object' && !Array.isArray(slot.value)) {
        slot.value[m.key] = m.value;
        return root;
      }
      if (Array.isArray(slot.value)) {
        slot.value.push(m.value);
        return root;
      }
      return put(m.value);
    case 'wrap':
      return put([slot.value]);
    case 'unwrap':
      if (Array.isArray(slot.value)) return put(slot.value[0] ?? null);
      if (slot.value && typeof slot.value === 'object') return put(Object.values(slot.value)[0] ?? null);
      return put(m.value);
    case 'duplicate':
      return put(Array.isArray(slot.value) ? [...slot.value, ...structuredClone(slot.value)] : slot.value);
  }
};

const stringify = (value: Json): string =>
  safeStringify(value).replace(/"\\u0001RAW([^"\\]*)\\u0001"/g, (_m, n: string) => n);

/** Mutations stack (a wrapped deep value in a duplicated one…): past the stack, a plain deep text. */
function safeStringify(value: Json): string {
  try {
    return JSON.stringify(value);
  } catch {
    return `${'['.repeat(2000)}${']'.repeat(2000)}`;
  }
}

/** Texts that are not the JSON they claim to be, or JSON no handler expects. */
const rawBodies = (sample: string): fc.Arbitrary<{ body: Buffer; note: string }> =>
  fc.oneof(
    fc.nat().map((n) => ({
      body: Buffer.from(sample.slice(0, n % Math.max(1, sample.length))),
      note: 'truncated',
    })),
    fc
      .record({
        at: fc.nat(),
        bytes: fc.constantFrom(
          [0xff],
          [0xfe, 0xff],
          [0xc0, 0x80],
          [0x80],
          [0xed, 0xa0, 0x80],
          [0xf4, 0x90, 0x80, 0x80],
        ),
      })
      .map(({ at, bytes }) => {
        const buf = Buffer.from(sample);
        const i = buf.length ? at % buf.length : 0;
        return {
          body: Buffer.concat([buf.subarray(0, i), Buffer.from(bytes), buf.subarray(i)]),
          note: 'invalid-utf8',
        };
      }),
    fc
      .constantFrom(100, 1000, 5000, 100_000)
      .map((n) => ({ body: Buffer.from('['.repeat(n) + ']'.repeat(n)), note: `nested-${n}` })),
    fc.constantFrom(100, 1000, 5000, 100_000).map((n) => ({
      body: Buffer.from('{"a":'.repeat(n) + '1' + '}'.repeat(n)),
      note: `nested-objects-${n}`,
    })),
    fc
      .constantFrom(
        '[]',
        '1',
        '"s"',
        'null',
        'true',
        '',
        '  ',
        '{}',
        '{"a":1,"a":2}',
        '{} x',
        '/* c */ {}',
        '\ufeff{}',
        '{"a":1}\n{"b":2}\n',
        'a: b',
        '{',
        '}',
        '{"a":}',
        "{'a':1}",
        '{"a":NaN}',
        '{"a":Infinity}',
        '[1,]',
        '{"\u0000":1}',
      )
      .map((t) => ({ body: Buffer.from(t), note: 'odd-json' })),
    fc
      .constantFrom(400 * 1024, 2 * 1024 * 1024)
      .map((n) => ({ body: Buffer.from(`{"a":"${'z'.repeat(n)}"}`), note: `huge-${n}` })),
  );

const bodyArbitrary = (op: CatalogueEntry): fc.Arbitrary<{ body?: Buffer; note: string }> => {
  const sampleText = op.sample.rawBody ?? '{}';
  const sampleJson = (op.sample.body ?? {}) as Json;
  return fc.oneof(
    {
      arbitrary: fc.constant({
        body: op.sample.rawBody ? Buffer.from(op.sample.rawBody) : undefined,
        note: 'sample',
      }),
      weight: 2,
    },
    {
      arbitrary: fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }).map((ms) => {
        let doc = structuredClone(sampleJson);
        for (const m of ms) doc = applyMutation(doc, m);
        return { body: Buffer.from(stringify(doc)), note: ms.map((m) => m.kind).join('+') };
      }),
      weight: 8,
    },
    { arbitrary: rawBodies(sampleText), weight: 3 },
    { arbitrary: fc.constant({ body: undefined, note: 'no-body' }), weight: 1 },
  );
};

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=UTF-8',
  undefined,
  'text/plain',
  'application/x-ndjson',
  'application/octet-stream',
];
const OTHER_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'];

export const requestArbitrary = (ops: readonly CatalogueEntry[]): fc.Arbitrary<FuzzRequest> =>
  fc.constantFrom(...ops).chain((op) =>
    fc
      .record({
        path: pathArbitrary(op),
        query: queryArbitrary(op),
        body: bodyArbitrary(op),
        contentType: fc.constantFrom(...CONTENT_TYPES),
        method: fc.oneof(
          { arbitrary: fc.constant(op.method), weight: 15 },
          { arbitrary: fc.constantFrom(...OTHER_METHODS), weight: 1 },
        ),
      })
      .map(({ path, query, body, contentType, method }) => ({
        operation: op.operation,
        method,
        path: path.path,
        query: query.query,
        body: body.body,
        contentType: body.body === undefined ? undefined : contentType,
        mutation: [
          path.note,
          query.note,
          body.note,
          method !== op.method ? `method ${method}` : '',
          contentType && contentType !== 'application/json' && body.body ? `type ${contentType}` : '',
        ]
          .filter(Boolean)
          .join(' '),
      })),
  );
