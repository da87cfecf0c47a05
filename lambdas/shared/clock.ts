/** The one clock. Domain code takes a Clock so tests can move time. */
export interface Clock {
  now(): number;
}

/**
 * Simulated time added to the system clock. Always 0 in Lambda; only local tooling that drives
 * the workers faster than the wall clock (the conformance replay) moves it, through
 * `advanceSystemClock`.
 */
let skewMs = 0;

export const systemClock: Clock = { now: () => Date.now() + skewMs };

/** Moves this process's system clock forward (local tooling only: see `skewMs`). */
export const advanceSystemClock = (ms: number): void => {
  skewMs += ms;
};

/** A clock tests set and advance by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.now()) {}
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
