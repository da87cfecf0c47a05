import fs from 'node:fs';
import path from 'node:path';

/**
 * The vendored corpus (test/conformance/corpus) is a verbatim copy of ../shared/conformance:
 * when that folder is beside the repository, every scenario, recorded answer and the README
 * must be the same, file for file; a stale copy fails here and says how to refresh it.
 */
const ROOT = path.resolve(__dirname, '../../..');
const COPY = path.join(ROOT, 'test/conformance/corpus');
const SHARED = path.resolve(ROOT, '../shared/conformance');

const files = (dir: string): string[] =>
  ['scenarios', 'golden'].flatMap((sub) =>
    fs
      .readdirSync(path.join(dir, sub))
      .filter((f) => f.endsWith('.json'))
      .map((f) => `${sub}/${f}`),
  );

describe('the vendored conformance corpus', () => {
  it('has a recorded answer for every scenario', () => {
    const scenarios = files(COPY).filter((f) => f.startsWith('scenarios/'));
    expect(scenarios.length).toBeGreaterThan(0);
    for (const f of scenarios)
      expect(fs.existsSync(path.join(COPY, f.replace('scenarios/', 'golden/')))).toBe(true);
  });

  const shared = fs.existsSync(path.join(SHARED, 'scenarios'));
  (shared ? it : it.skip)('is the same as ../shared/conformance (refresh: see corpus/SOURCE.md)', () => {
    const stale = [...new Set([...files(SHARED), ...files(COPY), 'README.md'])]
      .filter((f) => {
        const a = path.join(SHARED, f);
        const b = path.join(COPY, f);
        return !fs.existsSync(a) || !fs.existsSync(b) || !fs.readFileSync(a).equals(fs.readFileSync(b));
      })
      .sort();
    expect(stale).toEqual([]);
  });
  if (!shared) console.log(`../shared/conformance is not here: the copy's freshness is not checked`);
});
