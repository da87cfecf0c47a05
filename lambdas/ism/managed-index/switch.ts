import { ISM_ENABLED, PluginSettingsView } from '../../shared/plugin-settings';
import type { PluginSettingsStore } from '../../shared/plugin-settings-store';

/**
 * The deployment-wide ISM switch: the plugin's cluster setting
 * `plugins.index_state_management.enabled` itself (PUT _cluster/settings sets the same value).
 * While stopped, the runner does nothing; started again, every index carries on where it was.
 */
/** The `ism-control/switch` item of earlier versions, which the setting replaces (no longer read). */
export interface IsmControl {
  enabled: boolean;
}

export class IsmSwitch {
  constructor(private readonly settings: Pick<PluginSettingsStore, 'read' | 'update'>) {}

  async enabled(): Promise<boolean> {
    return new PluginSettingsView(await this.settings.read()).get(ISM_ENABLED);
  }

  /** Sets the persistent value; a transient one, which would win over it, is removed. */
  async set(enabled: boolean): Promise<void> {
    await this.settings.update({
      persistent: { [ISM_ENABLED.key]: String(enabled) },
      transient: { [ISM_ENABLED.key]: null },
    });
  }
}
