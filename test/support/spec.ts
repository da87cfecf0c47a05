import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Validates our responses against OpenSearch's own API specification (spec/opensearch-api-spec):
 * every YAML file is loaded under a common base URI so the spec's relative `$ref`s resolve.
 */
// A vendored copy (Apache-2.0, see spec/opensearch-api-spec/SOURCE.md), so a clone is self-contained.
export const SPEC_DIR = path.resolve(__dirname, '../../spec/opensearch-api-spec');
const BASE = 'https://opensearch-api-spec.local/';

interface OpenApiDocument {
  paths?: Record<string, Record<string, { responses?: Record<string, { $ref?: string }> }>>;
}

let ajv: Ajv2020 | undefined;
const namespaces = new Map<string, OpenApiDocument>();
const validators = new Map<string, ValidateFunction>();

const loadSpec = (): Ajv2020 => {
  if (ajv) return ajv;
  ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  for (const dir of ['schemas', 'namespaces']) {
    for (const file of fs.readdirSync(path.join(SPEC_DIR, dir)).filter((f) => f.endsWith('.yaml'))) {
      const doc = parse(fs.readFileSync(path.join(SPEC_DIR, dir, file), 'utf8')) as OpenApiDocument;
      if (dir === 'namespaces') namespaces.set(file.replace(/\.yaml$/, ''), doc);
      ajv.addSchema({ ...doc, $id: `${BASE}${dir}/${file}` });
    }
  }
  return ajv;
};

/** The spec lists only `/_plugins` paths; the legacy prefix answers identically. */
const specPath = (routePath: string): string => routePath.replace(/^\/_opendistro\//, '/_plugins/');

/**
 * Validates a response body for the operation at `routePath` (a path template such as
 * `/_plugins/_ism/policies/{policy_id}`). Returns the validation errors, empty when valid.
 */
export const validateResponse = (
  namespace: string,
  method: string,
  routePath: string,
  status: number,
  body: unknown,
): string[] => {
  const spec = loadSpec();
  const doc = namespaces.get(namespace);
  const operation = doc?.paths?.[specPath(routePath)]?.[method.toLowerCase()];
  if (!operation) throw new Error(`the spec has no ${method} ${routePath} in ${namespace}.yaml`);
  const response = operation.responses?.[String(status)] ?? operation.responses?.default;
  if (!response?.$ref) {
    if (status >= 400) return validateError(spec, body);
    throw new Error(`the spec has no ${status} response for ${method} ${routePath}`);
  }
  const ref = response.$ref.replace(/^#\/components\/responses\//, '');
  const key = `${namespace}#${ref}`;
  let validate = validators.get(key);
  if (!validate) {
    const pointer = `#/components/responses/${ref}/content/application~1json/schema`;
    validate = spec.compile({ $ref: `${BASE}namespaces/${namespace}.yaml${pointer}` });
    validators.set(key, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
};

const validateError = (spec: Ajv2020, body: unknown): string[] => {
  let validate = validators.get('error');
  if (!validate) {
    validate = spec.compile({ $ref: `${BASE}schemas/_common.yaml#/components/schemas/ErrorResponseBase` });
    validators.set('error', validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
};
