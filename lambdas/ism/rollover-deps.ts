import { rolloverService } from '../rollover/deps';
import type { RolloverFoundPort, RolloverPort } from './runner/step';

/**
 * ISM's rollovers go through the control plane's rollover service (its history and hooks, e.g.
 * the ingestion handover); a rollover a resumed run finds done is recorded there once.
 */
export const ismRolloverPorts = (): { rollover: RolloverPort; rolloverFound: RolloverFoundPort } => ({
  rollover: (alias) => rolloverService().rollover({ alias, source: 'ism' }),
  rolloverFound: async ({ alias, oldIndex, newIndex }) =>
    void (await rolloverService().recordFound({
      alias,
      old_index: oldIndex,
      new_index: newIndex,
      source: 'ism',
    })),
});
