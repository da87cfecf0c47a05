import type { JsonObject } from '../../shared/xcontent';
import { aggregationTypes } from '../job/aggregations';
import { groupSourceField, groupTargetField, groupType, type TransformJob } from '../job/model';

/**
 * What the plugin checks and derives from the source's mappings: whether each group can be
 * realized on every source index (TransformValidator / Dimension.canBeRealizedInMappings), and
 * which target fields hold dates (TargetIndexMappingService.getTargetMappingsForDates).
 */
export interface MappingNode {
  type?: string;
  properties?: Record<string, MappingNode>;
  fields?: Record<string, MappingNode>;
  [key: string]: unknown;
}

/** Index name → its mapping (what `GET <source>/_mapping` answers, unwrapped). */
export type SourceMappings = Record<string, MappingNode>;

/** NumberFieldMapper.NumberType names: what a histogram group can read. */
const NUMBER_TYPES = new Set([
  'half_float',
  'float',
  'double',
  'byte',
  'short',
  'integer',
  'long',
  'unsigned_long',
]);
const DATE_TYPES = new Set(['date', 'date_nanos']);

/** IndexUtils.getFieldFromMappings: a dotted path through `properties` (or multi-field `fields`). */
export const fieldFromMappings = (
  mapping: MappingNode | undefined,
  path: string,
): MappingNode | undefined => {
  let node: MappingNode | undefined = mapping;
  for (const part of path.split('.')) {
    node = (node?.properties ?? node?.fields)?.[part];
    if (!node) return undefined;
  }
  return node;
};

const canBeRealized = (
  job: TransformJob,
  g: TransformJob['groups'][number],
  mapping: MappingNode,
): boolean => {
  void job;
  const type = fieldFromMappings(mapping, groupSourceField(g))?.type;
  if (type === undefined) return false;
  if ('terms' in g) return type !== 'text';
  if ('histogram' in g) return NUMBER_TYPES.has(type);
  return type === 'date';
};

/** TransformValidator.validateMappingsResponse over every concrete source index. */
export const mappingIssues = (job: TransformJob, mappings: SourceMappings): string[] => {
  const issues: string[] = [];
  for (const [index, mapping] of Object.entries(mappings)) {
    for (const g of job.groups) {
      if (!canBeRealized(job, g, mapping)) {
        issues.push(
          `Cannot find field [${groupSourceField(g)}] that can be grouped as [${groupType(g)}] in [${index}].`,
        );
      }
    }
  }
  return issues;
};

/**
 * Target fields that hold dates, with their type: terms/histogram groups on a date field (the
 * source's type), and values-source aggregations (sub-aggregations too, by dotted path) on a
 * `date` field. Read from the mapping of the index named `source_index` itself (a pattern or an
 * alias finds none, as in the plugin).
 */
export const targetDateFields = (job: TransformJob, mappings: SourceMappings): Record<string, string> => {
  const mapping = mappings[job.source_index];
  const out: Record<string, string> = {};
  if (!mapping?.properties) return out;
  for (const g of job.groups) {
    if ('date_histogram' in g) continue;
    const type = fieldFromMappings(mapping, groupSourceField(g))?.type;
    if (type !== undefined && DATE_TYPES.has(type)) out[groupTargetField(g)] = type;
  }
  const visit = (aggs: JsonObject, parent: string | undefined): void => {
    const types = aggregationTypes(aggs);
    Object.entries(aggs).forEach(([name, definition], i) => {
      const path = parent === undefined ? name : `${parent}.${name}`;
      const body = (definition as JsonObject)[types[i]] as JsonObject | undefined;
      const field = typeof body?.field === 'string' ? body.field : undefined;
      if (field !== undefined && types[i] !== 'scripted_metric') {
        if (fieldFromMappings(mapping, field)?.type === 'date') out[path] = 'date';
      }
      const sub = (definition as JsonObject).aggregations as JsonObject | undefined;
      if (sub) visit(sub, path);
    });
  };
  visit(job.aggregations, undefined);
  return out;
};

/**
 * The target index's mapping (opendistro-transform-target.json plus the date fields): the
 * plugin's builder writes only each date field's `type` (its `format` is dropped on the way).
 */
export const targetMapping = (dateFields: Record<string, string>): JsonObject => {
  const mapping: JsonObject = {
    _meta: { schema_version: 1 },
    dynamic_templates: [{ strings: { match_mapping_type: 'string', mapping: { type: 'keyword' } } }],
  };
  if (Object.keys(dateFields).length > 0) {
    const properties: JsonObject = {};
    for (const [field, type] of Object.entries(dateFields)) properties[field] = { type };
    mapping.properties = properties;
  }
  return mapping;
};
