import type { StoredDocument } from '../../shared/document-store';
import type { JobStore } from '../../shared/jobs/job-store';
import type { ClusterApi } from '../cluster-api';
import { matchesTemplate } from '../policy/ism-template';
import type { Policy } from '../policy/model';
import type { IsmControl } from './switch';
import { newManagedIndex, type OptOut } from './service';
import type { ManagedIndex } from './model';

/**
 * ism_template auto-management without the plugin's cluster events: each runner tick lists the
 * cluster's indices with their creation dates in one `_cat/indices` call and looks only at those
 * created after a high-water mark kept in the table; each is matched against the templates
 * (highest priority wins, only templates last updated before the index was created), as the
 * plugin's coordinator does. Costs nothing when no policy has a template.
 */
export interface TemplateDeps {
  cluster: ClusterApi;
  policies: { list(): Promise<StoredDocument<Policy>[]> };
  managed: JobStore<ManagedIndex>;
  optOut: JobStore<OptOut>;
  control: JobStore<DiscoveryMark | IsmControl>;
  now: number;
  /** When the new jobs first run, after `now` (0: at once). */
  firstRunDelayMs?: number;
}

export interface DiscoveryMark {
  /** Creation date (epoch ms) of the newest index already looked at. */
  after: number;
}

const MARK = 'template-discovery';

interface CatIndex {
  index: string;
  uuid: string;
  status?: string;
  'creation.date'?: string;
}

/** The policy whose template wins for this index, if any. */
export const templatePolicyFor = (
  name: string,
  created: number,
  policies: StoredDocument<Policy>[],
): StoredDocument<Policy> | undefined => {
  let best: { doc: StoredDocument<Policy>; priority: number } | undefined;
  for (const doc of policies) {
    for (const t of doc.source.ism_template ?? []) {
      if (
        t.last_updated_time < created &&
        matchesTemplate(name, t) &&
        (!best || t.priority > best.priority)
      ) {
        best = { doc, priority: t.priority };
      }
    }
  }
  return best?.doc;
};

export const autoManage = async (deps: TemplateDeps): Promise<number> => {
  const withTemplates = (await deps.policies.list()).filter((d) => (d.source.ism_template ?? []).length > 0);
  if (withTemplates.length === 0) return 0;
  const markRecord = await deps.control.get(MARK);
  const after = (markRecord?.state as DiscoveryMark | undefined)?.after ?? 0;
  const indices = await deps.cluster.request<CatIndex[]>('GET', '/_cat/indices', {
    query: { format: 'json', h: 'index,uuid,status,creation.date', expand_wildcards: 'open' },
  });
  let newest = after;
  let managed = 0;
  for (const i of indices) {
    const created = Number(i['creation.date']);
    if (!Number.isFinite(created) || created <= after) continue;
    newest = Math.max(newest, created);
    // Hidden and system indices are never auto-managed.
    if (i.index.startsWith('.')) continue;
    const doc = templatePolicyFor(i.index, created, withTemplates);
    if (!doc || (await deps.optOut.get(i.uuid))) continue;
    const info = {
      name: i.index,
      uuid: i.uuid,
      open: true,
      creationDate: created,
      hidden: false,
      settings: {},
      aliases: [],
      rolloverInfo: {},
    };
    const due = deps.now + (deps.firstRunDelayMs ?? 0);
    if (await deps.managed.create(i.uuid, newManagedIndex(info, doc, deps.now), due)) managed++;
  }
  if (newest > after) {
    if (!markRecord) await deps.control.create(MARK, { after: newest }, null);
    else await deps.control.update(MARK, markRecord.rev, { after: newest }, null).catch(() => undefined);
  }
  return managed;
};
