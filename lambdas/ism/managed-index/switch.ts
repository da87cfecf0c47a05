import type { JobStore } from '../../shared/jobs/job-store';

/**
 * The deployment-wide ISM switch (the plugin's `plugins.index_state_management.enabled`): while
 * stopped, the runner does nothing; started again, every index carries on where it was.
 */
export interface IsmControl {
  enabled: boolean;
}

const ID = 'switch';

export class IsmSwitch {
  constructor(private readonly store: JobStore<IsmControl>) {}

  async enabled(): Promise<boolean> {
    return (await this.store.get(ID))?.state.enabled ?? true;
  }

  async set(enabled: boolean): Promise<void> {
    if (!(await this.store.create(ID, { enabled }, null))) {
      const current = await this.store.get(ID);
      if (current) await this.store.update(ID, current.rev, { enabled }, null);
    }
  }
}
