import type { StoredDocument } from '../shared/document-store';
import type { TransformJob } from './job/model';

/** Response shapes of the transform routes, as the plugin writes them (no `user`). */
export const transformWithMetadata = (doc: StoredDocument<TransformJob>) => ({
  _id: doc.id,
  _version: doc.version,
  _seq_no: doc.seqNo,
  _primary_term: doc.primaryTerm,
  transform: doc.source,
});

/** The plugin's routes live under `_plugins`; `_opendistro` serves the same (Open Distro's prefix). */
export const TRANSFORM_BASE_URI = '/_plugins/_transform';
