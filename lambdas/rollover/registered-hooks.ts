/**
 * The modules that register rollover hooks (see hooks.ts). The rollover service imports this
 * file, so each registration is part of every bundle that can roll over (the rollover API and
 * the ISM runner). Add one import per feature.
 */
import '../ingestion/rollover-handover';
