/**
 * jest 30 ignores `testTimeout` inside a project's config (it is a global option), so each
 * project that needs a longer one sets it here, once, before its tests run.
 */
jest.setTimeout(Number(process.env.JEST_PROJECT_TIMEOUT_MS ?? 60_000));
