import { differences, Normalizer } from '../../conformance/normalize';
import { holds, parsePath, substitute, valuesAt } from '../../conformance/scenario';

describe('conformance normalization', () => {
  it('turns times, uuids and generated ids into placeholders, and keeps everything else', () => {
    const n = new Normalizer('/tmp/repo');
    const out = n.value({
      took: 12,
      start_time: '2026-12-02T08:06:08Z',
      index_uuid: 'aB3dE5fG7hI9jK1lM3nO5p',
      _id: 'Xy9AbCdEfGhIjKlMnOpQ',
      info: { message: '[2026-12-02T08:06:08Z]: Snapshot cf-sm-p-2026.12.02-ab12cd34 at /tmp/repo/x' },
      reason: 'no such index [cf-a/aB3dE5fG7hI9jK1lM3nO5p]',
      count: 3,
    });
    expect(out).toEqual({
      took: '<time>',
      start_time: '<time>',
      index_uuid: '<uuid>',
      _id: '<generated-id>',
      info: { message: '[<time>]: Snapshot cf-sm-p-<date>-<rand> at <path_repo>/x' },
      reason: 'no such index [cf-a/<uuid>]',
      count: 3,
    });
  });

  it('numbers sequence numbers by first appearance, so equal stays equal and the type counts', () => {
    const n = new Normalizer(null);
    expect(n.value([{ _seq_no: 734 }, { _seq_no: 736 }, { _seq_no: 734 }, { _seq_no: '734' }])).toEqual([
      { _seq_no: '<seq#1:number>' },
      { _seq_no: '<seq#2:number>' },
      { _seq_no: '<seq#1:number>' },
      { _seq_no: '<seq#3:string>' },
    ]);
    expect(n.text('current document has seqNo [736] and primary term [1]')).toBe(
      'current document has seqNo [<seq#2:number>] and primary term [<term#1:number>]',
    );
  });

  it('compares arrays as multisets only when the step says so', () => {
    const n = new Normalizer(null);
    expect(n.value([3, 1, 2], undefined, true)).toEqual([1, 2, 3]);
    expect(n.value([3, 1, 2])).toEqual([3, 1, 2]);
  });

  it('reports each differing path, the plugin first', () => {
    expect(differences({ a: { b: 21, c: [1, 2] } }, { a: { b: 20, c: [1] }, d: 'x' })).toEqual([
      { path: '$.a.b', text: '21 vs 20' },
      { path: '$.a.c.length', text: '2 vs 1' },
      { path: '$.d', text: '(absent) vs "x"' },
    ]);
  });
});

describe('conformance scenario format', () => {
  const response = {
    status: 200,
    content_type: 'application/json',
    body: { '.ds-x': { step: { s: 'completed' } }, l: [1, 2] },
  };

  it('reads paths with quoted keys, indices and wildcards', () => {
    expect(parsePath('$[".ds-x"].step.s')).toEqual(['.ds-x', 'step', 's']);
    expect(valuesAt(response.body, '$.*.step.s')).toEqual(['completed']);
    expect(valuesAt(response.body, '$.l[1]')).toEqual([2]);
  });

  it('evaluates wait predicates as the corpus defines them', () => {
    expect(holds({ path: '$[".ds-x"].step.s', equals: 'completed' }, response)).toBe(true);
    expect(holds({ any: [{ status: 404 }, { path: '$.l', length: 2 }] }, response)).toBe(true);
    expect(holds({ not: { path: '$.missing', exists: true } }, response)).toBe(true);
    expect(holds({ all: [{ status: [400, 404] }, { path: '$.l', length_gte: 1 }] }, response)).toBe(false);
  });

  it('substitutes earlier answers, keeping numbers numbers and unknown placeholders as written', () => {
    const ctx = { results: { create: { _seq_no: 7 } }, pathRepo: '/r', now: () => 5 };
    expect(
      substitute({ a: '{{create._seq_no}}', b: 'x?if_seq_no={{create._seq_no}}', c: '{{ctx.index}}' }, ctx),
    ).toEqual({
      a: 7,
      b: 'x?if_seq_no=7',
      c: '{{ctx.index}}',
    });
    expect(substitute('{{path_repo}}/snap', ctx)).toBe('/r/snap');
  });
});
