import { compileQueryString } from '../../../lambdas/ism/query-string';

describe('queryString over policy ids', () => {
  const ids = ['logs-hot', 'logs-cold', 'metrics', 'a.b', 'Logs-upper'];
  const run = (q: string) => ids.filter(compileQueryString(q));

  test.each([
    ['*', ids],
    ['', ids],
    ['logs-*', ['logs-hot', 'logs-cold']],
    ['*cold', ['logs-cold']],
    ['metrics', ['metrics']],
    ['metric', []],
    ['logs-?ot', ['logs-hot']],
    ['a.b', ['a.b']],
    ['a?b', ['a.b']],
    ['logs-* *hot', ['logs-hot']],
    ['logs-* AND *hot', ['logs-hot']],
    ['logs\\-hot', ['logs-hot']],
  ])('%j matches %j (case-sensitive, whole id, terms ANDed)', (q, expected) => {
    expect(run(q)).toEqual(expected);
  });
});
