import type { StoredDocument } from '../shared/document-store';
import { compileQueryString, type FieldMapping } from '../shared/query-string';
import { valueAt } from '../shared/sort-documents';
import type { Policy } from './policy/model';

/**
 * The list API's `queryString` as the plugin runs it: a query_string over the policy documents
 * of `.opendistro-ism-config`, default field `policy.policy_id.keyword`, operator AND, with the
 * fields as that index maps them (2.19.6 mapping).
 */
const keyword: FieldMapping = { type: 'keyword' };
const keyword256: FieldMapping = { type: 'keyword', ignoreAbove: 256 };
const text: FieldMapping = { type: 'text' };

const POLICY_FIELDS: Record<string, FieldMapping> = {
  _id: keyword,
  'policy.policy_id': text,
  'policy.policy_id.keyword': keyword256,
  'policy.description': text,
  'policy.description.keyword': keyword256,
  'policy.schema_version': { type: 'long' },
  'policy.last_updated_time': { type: 'date' },
  'policy.default_state': keyword,
  'policy.states': { type: 'nested' },
  'policy.states.name': { type: 'nested' },
  'policy.states.actions': { type: 'nested' },
  'policy.states.transitions': { type: 'nested' },
  'policy.ism_template.index_patterns': keyword,
  'policy.ism_template.priority': { type: 'long' },
  'policy.ism_template.last_updated_time': { type: 'date' },
  'policy.user.name': text,
  'policy.user.name.keyword': keyword256,
  'policy.user.backend_roles': text,
  'policy.user.backend_roles.keyword': keyword,
  'policy.user.roles': text,
  'policy.user.roles.keyword': keyword,
};

/** A field's values in a stored policy: arrays (ism_template) are flattened, as indexing does. */
const valuesOf = (doc: StoredDocument<Policy>, field: string): unknown[] => {
  if (field === '_id') return [doc.id];
  if (!field.startsWith('policy.')) return [];
  const path = field
    .slice('policy.'.length)
    .replace(/\.keyword$/, '')
    .split('.');
  const collect = (value: unknown, rest: string[]): unknown[] => {
    if (Array.isArray(value)) return value.flatMap((v) => collect(v, rest));
    if (rest.length === 0) return [value];
    return value !== null && typeof value === 'object'
      ? collect(valueAt(value, [rest[0]]), rest.slice(1))
      : [];
  };
  return collect({ ...doc.source, policy_id: doc.id }, path);
};

export const compilePolicyQuery = (queryString: string): ((doc: StoredDocument<Policy>) => boolean) => {
  const matches = compileQueryString(queryString, {
    defaultField: 'policy.policy_id.keyword',
    field: (name) => POLICY_FIELDS[name],
    fields: () => Object.keys(POLICY_FIELDS),
  });
  return (doc) => matches((field) => valuesOf(doc, field));
};
