import { optOutStore } from './managed-deps';
import { addIsmIndexSettings, ismIndexSettings } from './managed-index/index-settings';

/**
 * The ISM namespace's entry point for other namespaces: the index settings the plugin keeps on
 * indices (a plugin-free cluster cannot), for GET _settings to show.
 *
 *   const ism = await ismSettings.lookUp(clusterAnswer);   // from the answer's index.uuid
 *   body = ismSettings.add(body, ism, { flat: false, matches: () => true });
 *   // { "logs-1": { "settings": { "index": { "plugins": { "index_state_management":
 *   //     { "auto_manage": "false" } }, ... } } } }
 */
export const ismSettings = {
  lookUp: (answer: Record<string, unknown>) => ismIndexSettings(optOutStore(), answer),
  add: addIsmIndexSettings,
};
