import pRetry, { AbortError } from 'p-retry';
import { isOpenSearchError } from './errors';

/**
 * For a read-modify-write whose API has no version check (the Notifications plugin's update
 * overwrites whatever is there: the last writer wins): the write stays conditional on what was
 * read, and an attempt that lost the race to another writer reads again and re-applies itself,
 * so every caller succeeds, in some serial order, and no update is lost.
 *
 *   await retryLostRaces(async () => {
 *     const current = await store.get(id);
 *     await store.update(id, change(current.source), current.seqNo, current.primaryTerm);
 *   });
 */
export interface LostRaceOptions {
  /** Retries after the first attempt; each waits a random 5-200 ms, longer as they go. */
  readonly retries?: number;
  /** Whether an error is a lost race (default: the document store's 409 version conflict). */
  readonly isLostRace?: (error: unknown) => boolean;
}

export const isVersionConflict = (error: unknown): boolean =>
  isOpenSearchError(error) && error.type === 'version_conflict_engine_exception';

export const retryLostRaces = <T>(attempt: () => Promise<T>, options: LostRaceOptions = {}): Promise<T> => {
  const isLostRace = options.isLostRace ?? isVersionConflict;
  return pRetry(
    async () => {
      try {
        return await attempt();
      } catch (error) {
        // Anything but a lost race is the caller's answer as it is, at once.
        throw isLostRace(error) ? error : new AbortError(error as Error);
      }
    },
    { retries: options.retries ?? 50, minTimeout: 5, maxTimeout: 200, factor: 1.5, randomize: true },
  );
};
