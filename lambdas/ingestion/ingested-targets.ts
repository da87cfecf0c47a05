/**
 * The indices our poller ingests, and the aliases through which a write lands on one of them,
 * as a short-lived per-container cache: push writes check every request against it, so the
 * pass-through of writes to any other index costs no DynamoDB call (one query of the ingestion
 * items, plus two alias look-ups on the cluster when any are registered, per TTL and container).
 */
export interface IngestedTargets {
  /** Registered index name → its registered `index.uuid` (undefined for older registrations). */
  readonly indices: ReadonlyMap<string, string | undefined>;
  /** Alias → the index of ours a write through it lands on. */
  readonly aliases: ReadonlyMap<string, string>;
}

export interface TargetSources {
  registered(): Promise<Map<string, string | undefined>>;
  writeAliases(indices: readonly string[]): Promise<Map<string, string>>;
}

/** How long a container trusts its look-up; `INGESTION_TARGETS_TTL_MS` overrides it. */
export const DEFAULT_TARGETS_TTL_MS = 5_000;

export class IngestedTargetsCache {
  private cached?: { at: number; targets: Promise<IngestedTargets> };

  constructor(
    private readonly sources: TargetSources,
    private readonly ttlMs: number = DEFAULT_TARGETS_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<IngestedTargets> {
    const now = this.now();
    if (!this.cached || now - this.cached.at > this.ttlMs) {
      const targets = this.load();
      this.cached = { at: now, targets };
      // A failed look-up is not kept.
      targets.catch(() => {
        if (this.cached?.targets === targets) this.cached = undefined;
      });
    }
    return this.cached.targets;
  }

  /** Forgets the look-up (an index was just registered or removed in this container). */
  forget(): void {
    this.cached = undefined;
  }

  private async load(): Promise<IngestedTargets> {
    const indices = await this.sources.registered();
    const aliases = indices.size > 0 ? await this.sources.writeAliases([...indices.keys()]) : new Map();
    return { indices, aliases };
  }
}

/** The index of ours a write to `target` (an index or alias name) lands on, if any. */
export const ourIndex = (targets: IngestedTargets, target: string | undefined): string | undefined => {
  if (target === undefined) return undefined;
  if (targets.indices.has(target)) return target;
  return targets.aliases.get(target);
};

/** Whether `text` could name one of ours (a cheap look at a request before parsing it). */
export const mentionsAny = (targets: IngestedTargets, text: string): boolean =>
  [...targets.indices.keys(), ...targets.aliases.keys()].some((name) => text.includes(name));
