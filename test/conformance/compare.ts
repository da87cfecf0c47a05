import { differences, Normalizer, type Difference } from './normalize';
import type { Recording, RecordedStep } from './replay';

/**
 * Step-by-step comparison of the plugin's recording (golden) with ours, after normalization,
 * and the known differences: each one names a scenario, a compared step (1-based, or its id)
 * and the paths where the answers may differ, with the reason a user would accept.
 */
export interface KnownDifference {
  scenario: string;
  /** 1-based position among the scenario's compared steps, or the step's id. */
  step: number | string;
  /** Paths (as printed, e.g. `$.body.error.reason`) that may differ; a path covers what is below it. */
  paths: string[];
  reason: string;
  /** Words of README.md's known differences (in the section of its API) that state this one. */
  readme: string;
}

export interface StepResult {
  index: number;
  id?: string;
  label: string;
  differences: Difference[];
  /** The known entry that covers every difference of this step. */
  known?: KnownDifference;
  plugin?: RecordedStep;
  ours?: RecordedStep;
}

export interface ScenarioResult {
  name: string;
  area: string;
  steps: StepResult[];
}

const covers = (allowed: string, path: string): boolean =>
  path === allowed || path.startsWith(`${allowed}.`) || path.startsWith(`${allowed}[`);

const matchesStep = (entry: KnownDifference, index: number, id?: string): boolean =>
  typeof entry.step === 'number' ? entry.step === index : entry.step === id;

export const compareRecordings = (
  plugin: Recording,
  ours: Recording | undefined,
  known: readonly KnownDifference[],
): ScenarioResult => {
  const pluginSteps = plugin.steps.filter((s) => s.compare);
  const ourSteps = ours ? ours.steps.filter((s) => s.compare) : [];
  const pluginNormalizer = new Normalizer(plugin.path_repo);
  const ourNormalizer = new Normalizer(ours?.path_repo ?? null);
  const entries = known.filter((k) => k.scenario === plugin.name);
  const steps: StepResult[] = [];
  for (let i = 0; i < Math.max(pluginSteps.length, ourSteps.length); i++) {
    const p = pluginSteps[i];
    const o = ourSteps[i];
    const index = i + 1;
    const id = (p ?? o)?.id;
    const label = p?.request ? `${p.request.method} ${p.request.path}` : '(missing)';
    let found: Difference[];
    if (!p || !o || !p.response || !o.response) {
      found = [{ path: '$', text: p ? 'not replayed' : 'a step the plugin did not record' }];
    } else {
      const normalize = (n: Normalizer, s: RecordedStep) =>
        n.response(s.response!, { unordered: s.unordered, waitSatisfied: s.wait?.satisfied });
      found = differences(normalize(pluginNormalizer, p), normalize(ourNormalizer, o));
    }
    const entry = found.length
      ? entries.find(
          (k) => matchesStep(k, index, id) && found.every((d) => k.paths.some((a) => covers(a, d.path))),
        )
      : undefined;
    steps.push({ index, id, label, differences: found, known: entry, plugin: p, ours: o });
  }
  return { name: plugin.name, area: plugin.area, steps };
};

/** Known entries that cover no differing step any more: the file must be kept true. */
export const staleEntries = (
  results: readonly ScenarioResult[],
  known: readonly KnownDifference[],
): KnownDifference[] => {
  const replayed = new Set(results.map((r) => r.name));
  const used = new Set(results.flatMap((r) => r.steps.map((s) => s.known).filter(Boolean)));
  return known.filter((k) => replayed.has(k.scenario) && !used.has(k));
};
