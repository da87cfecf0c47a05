import type { SimServices } from './global-setup';

/** Jest globalTeardown: stops what global-setup.ts started (preset endpoints have no-op stops). */
export default async function globalTeardown(): Promise<void> {
  const services: SimServices | undefined = globalThis.__SIM_SERVICES__;
  globalThis.__SIM_SERVICES__ = undefined;
  if (!services) return;
  await Promise.all(
    services.stops.map(({ name, stop }) =>
      stop().catch((err: unknown) =>
        console.error(
          `[global-teardown] stopping ${name}: ${err instanceof Error ? err.message : String(err)}`,
        ),
      ),
    ),
  );
}
