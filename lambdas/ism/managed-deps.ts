import { systemClock } from '../shared/clock';
import { documentClient, tableName } from '../shared/dynamo';
import { pluginSettingsStore } from '../shared/plugin-settings-store';
import { JobStore } from '../shared/jobs/job-store';
import { clusterApi } from './cluster-deps';
import type { MaintenanceState } from './history/maintenance';
import type { ManagedIndex } from './managed-index/model';
import { ManagedIndexService, type OptOut } from './managed-index/service';
import { PolicyService } from './policy-service';
import { IsmSwitch, type IsmControl } from './managed-index/switch';
import type { DiscoveryMark } from './managed-index/templates';

/** Wiring for the managed-index handlers and the runner: built once per container. */
export const MANAGED_KIND = 'ism';

export const managedStore = (): JobStore<ManagedIndex> =>
  new JobStore<ManagedIndex>(documentClient(), tableName(), MANAGED_KIND);

export const optOutStore = (): JobStore<OptOut> =>
  new JobStore<OptOut>(documentClient(), tableName(), 'ism-opt-out');

export const controlStore = (): JobStore<IsmControl | DiscoveryMark> =>
  new JobStore<IsmControl | DiscoveryMark>(documentClient(), tableName(), 'ism-control');

/** The history maintenance item (history/maintenance.ts). */
export const historyStore = (): JobStore<MaintenanceState> =>
  new JobStore<MaintenanceState>(documentClient(), tableName(), 'ism-history');

export const policyStore = () => PolicyService.policyStore(documentClient(), tableName());

let service: ManagedIndexService | undefined;
export const managedIndexService = (): ManagedIndexService =>
  (service ??= new ManagedIndexService(
    { managed: managedStore(), optOut: optOutStore(), policies: policyStore() },
    clusterApi(),
  ));

/** `plugins.index_state_management.enabled`, kept with the other plugin cluster settings. */
export const ismSwitch = (): IsmSwitch => new IsmSwitch(pluginSettingsStore());

export const clock = systemClock;
