import type { StoredDocument } from '../shared/document-store';
import type { RollupJob } from './job/model';

/** Response shapes of the rollup routes, as the plugin writes them (no `user`). */
export const rollupWithMetadata = (doc: StoredDocument<RollupJob>) => ({
  _id: doc.id,
  _version: doc.version,
  _seq_no: doc.seqNo,
  _primary_term: doc.primaryTerm,
  rollup: doc.source,
});
