import type { StoredDocument } from '../shared/document-store';
import type { Policy } from './policy/model';

/** Response shapes of the policy routes, field for field as the plugin writes them. */
export const policyWithMetadata = (doc: StoredDocument<Policy>) => ({
  _id: doc.id,
  _version: doc.version,
  _seq_no: doc.seqNo,
  _primary_term: doc.primaryTerm,
  policy: { ...doc.source, policy_id: doc.id },
});

export const policyListEntry = (doc: StoredDocument<Policy>) => ({
  _id: doc.id,
  _seq_no: doc.seqNo,
  _primary_term: doc.primaryTerm,
  policy: { ...doc.source, policy_id: doc.id },
});
