import {
  holds,
  isSleep,
  isWait,
  substitute,
  type Json,
  type RequestStep,
  type Response,
  type Scenario,
  type Step,
  type SubstitutionContext,
} from './scenario';

/**
 * Replays one scenario against an API as a user reaches it (HTTP), and records every step in
 * the corpus's recorded format, so that a recording of ours and the plugin's golden file can be
 * compared step by step (and read by the corpus's own comparator too).
 */
export type Phase = 'setup' | 'steps' | 'teardown';

export interface RecordedStep {
  phase: Phase;
  id?: string;
  compare: boolean;
  unordered?: boolean;
  request?: { method: string; path: string; body?: Json; raw?: string; ndjson?: boolean };
  response?: Response;
  wall_ms?: number;
  wait?: {
    until: unknown;
    polls: number;
    waited_ms: number;
    satisfied: boolean;
    /** Ours only: simulated time that passed (the workers' job runs) until the predicate held. */
    simulated_ms?: number;
  };
  sleep_s?: number;
}

export interface Recording {
  name: string;
  area: string;
  description?: string;
  file?: string;
  target: string;
  path_repo: string | null;
  recorded_at: string;
  wall_ms: number;
  steps: RecordedStep[];
}

export interface ReplayTarget {
  readonly url: string;
  readonly pathRepo: string | null;
  /** The control plane's clock (simulated time), for `{{now_ms}}` and the lag figures. */
  readonly now: () => number;
  /**
   * Moves the workers on while a wait step's predicate does not hold: one job interval of
   * simulated time and a run of each worker. Resolves when that run is over.
   */
  readonly drive: () => Promise<void>;
  /** Simulated time a wait may take before it is given up (default: the step's timeout_s). */
  readonly maxWaitMs?: (timeoutMs: number) => number;
  /** Real time a wait may take before it is given up, whatever the simulated clock says. */
  readonly maxRealWaitMs?: number;
}

const REQUEST_TIMEOUT_MS = 120_000;

type Request = Omit<RequestStep, 'id' | 'compare' | 'unordered'>;

export const send = async (base: string, request: Request): Promise<{ response: Response; ms: number }> => {
  const headers: Record<string, string> = { ...(request.headers ?? {}) };
  let body: string | undefined;
  if (request.ndjson) {
    const lines = Array.isArray(request.body) ? request.body : [request.body ?? ''];
    body = `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;
    headers['content-type'] = 'application/x-ndjson';
  } else if (request.raw !== undefined) {
    body = request.raw;
    headers['content-type'] ??= 'application/json';
  } else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['content-type'] = 'application/json';
  }
  const started = Date.now();
  try {
    const res = await fetch(base + request.path, {
      method: request.method,
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    const response: Response = { status: res.status, content_type: res.headers.get('content-type') };
    const location = res.headers.get('location');
    if (location) response.location = location;
    let parsed: Json | undefined;
    try {
      parsed = text.length ? (JSON.parse(text) as Json) : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined) response.body = parsed;
    else response.text = text;
    return { response, ms: Date.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return {
      response: { status: 0, content_type: null, text: `request failed: ${cause}` },
      ms: Date.now() - started,
    };
  }
};

const cleanRequest = (request: Request): NonNullable<RecordedStep['request']> => ({
  method: request.method,
  path: request.path,
  ...(request.body !== undefined ? { body: request.body } : {}),
  ...(request.raw !== undefined ? { raw: request.raw } : {}),
  ...(request.ndjson ? { ndjson: true } : {}),
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const runStep = async (
  target: ReplayTarget,
  step: Step,
  phase: Phase,
  ctx: SubstitutionContext & { results: Record<string, Json | undefined> },
): Promise<RecordedStep> => {
  if (isSleep(step)) {
    // A pause on the plugin's clock: our workers move on by the same simulated time.
    for (let waited = 0; waited < step.sleep_s * 1000; waited += 60_000) await target.drive();
    return { phase, id: step.id, compare: false, sleep_s: step.sleep_s };
  }
  const compare = phase === 'steps' && step.compare !== false;
  if (isWait(step)) {
    const { until, timeout_s: timeoutS = 60, interval_s: intervalS = 2, ...rest } = step.wait;
    const request = { ...rest, method: rest.method ?? 'GET' };
    const resolved = substitute(request as unknown as Json, ctx) as unknown as Request;
    const simulatedLimit = target.maxWaitMs ? target.maxWaitMs(timeoutS * 1000) : timeoutS * 1000;
    const realLimit = target.maxRealWaitMs ?? timeoutS * 1000;
    const started = Date.now();
    const simulatedStart = target.now();
    let polls = 0;
    let satisfied = false;
    let response: Response;
    for (;;) {
      polls++;
      response = (await send(target.url, resolved)).response;
      if (holds(until, response)) {
        satisfied = true;
        break;
      }
      if (target.now() - simulatedStart >= simulatedLimit || Date.now() - started >= realLimit) break;
      // The plugin's recorder polls every interval_s; here the workers move on between polls.
      await target.drive();
      await sleep(Math.min(intervalS * 1000, 100));
    }
    if (step.id) ctx.results[step.id] = response.body;
    return {
      phase,
      id: step.id,
      compare,
      unordered: !!step.unordered,
      request: cleanRequest(resolved),
      response,
      wall_ms: Date.now() - started,
      wait: {
        until,
        polls,
        waited_ms: Date.now() - started,
        satisfied,
        simulated_ms: target.now() - simulatedStart,
      },
    };
  }
  const { id, unordered, method, path, body, raw, ndjson, headers } = step;
  const request: Request = { method, path, body, raw, ndjson, headers };
  const resolved = substitute(request as unknown as Json, ctx) as unknown as Request;
  const { response, ms } = await send(target.url, resolved);
  if (id) ctx.results[id] = response.body;
  return {
    phase,
    id,
    compare,
    unordered: !!unordered,
    request: cleanRequest(resolved),
    response,
    wall_ms: ms,
  };
};

export const replay = async (target: ReplayTarget, scenario: Scenario, file?: string): Promise<Recording> => {
  const ctx = { results: {} as Record<string, Json | undefined>, pathRepo: target.pathRepo, now: target.now };
  const started = Date.now();
  const recording: Recording = {
    name: scenario.name,
    area: scenario.area,
    description: scenario.description,
    file,
    target: target.url,
    path_repo: target.pathRepo,
    recorded_at: new Date().toISOString(),
    wall_ms: 0,
    steps: [],
  };
  for (const phase of ['setup', 'steps', 'teardown'] as const) {
    for (const step of scenario[phase] ?? []) recording.steps.push(await runStep(target, step, phase, ctx));
  }
  recording.wall_ms = Date.now() - started;
  return recording;
};

/** `path.repo` of the target's first node that has one (`{{path_repo}}`). */
export const pathRepoOf = async (base: string): Promise<string | null> => {
  const { response } = await send(base, { method: 'GET', path: '/_nodes/settings' });
  const nodes = (response.body as { nodes?: Record<string, { settings?: { path?: { repo?: unknown } } }> })
    ?.nodes;
  for (const node of Object.values(nodes ?? {})) {
    const repo = node.settings?.path?.repo;
    const first = Array.isArray(repo) ? repo[0] : repo;
    if (typeof first === 'string') return first;
  }
  return null;
};
