import type { StoredDocument } from '../shared/document-store';
import type { SMPolicy } from './policy/model';

/** Response shapes of the SM policy routes, as the plugin writes them (`user` is never returned). */
export const policyResponse = (doc: StoredDocument<SMPolicy>) => ({
  _id: doc.id,
  _version: doc.version,
  _seq_no: doc.seqNo,
  _primary_term: doc.primaryTerm,
  sm_policy: doc.source,
});

/** List entries carry no `_version`. */
export const policyListEntry = (doc: StoredDocument<SMPolicy>) => ({
  _id: doc.id,
  _seq_no: doc.seqNo,
  _primary_term: doc.primaryTerm,
  sm_policy: doc.source,
});
