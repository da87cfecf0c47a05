import fs from 'node:fs';
import path from 'node:path';
import type { KnownDifference } from '../../conformance/compare';
import type { Recording } from '../../conformance/replay';

/**
 * The reviewed list of differences from the plugin that the conformance replay accepts: each
 * names a compared step of the corpus, the paths that may differ, a reason, and the words of
 * README.md that tell users about it.
 */
const ROOT = path.resolve(__dirname, '../../..');
const known = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'test/conformance/known-differences.json'), 'utf8'),
) as KnownDifference[];
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');

const golden = (name: string): Recording | undefined => {
  const file = path.join(ROOT, 'test/conformance/corpus/golden', `${name}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Recording) : undefined;
};

describe('the known differences from the plugin', () => {
  for (const k of known) {
    it(`${k.scenario} step ${k.step} is a real step, justified and in the README`, () => {
      const recording = golden(k.scenario);
      expect(recording).toBeDefined();
      const compared = recording!.steps.filter((s) => s.compare);
      const step = typeof k.step === 'number' ? compared[k.step - 1] : compared.find((s) => s.id === k.step);
      expect(step).toBeDefined();
      expect(k.paths.length).toBeGreaterThan(0);
      expect(k.reason.trim().length).toBeGreaterThan(20);
      expect(k.readme.trim()).not.toBe('');
      expect(readme).toContain(k.readme.replace(/\s+/g, ' '));
    });
  }

  it('names each step once', () => {
    const keys = known.map((k) => `${k.scenario}#${k.step}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
