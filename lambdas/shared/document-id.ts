import { OpenSearchError } from './errors';

/**
 * The ids of the documents we store (ISM policies, SM policies, rollup and transform jobs), checked
 * once for every namespace as OpenSearch's IndexRequest.validate checks a document id, with its
 * `action_request_validation_exception`:
 *
 *   validateDocumentId('a'.repeat(600));
 *   // 400 Validation Failed: 1: id [aaa…] is too long, must be no longer than 512 bytes but was: 600;
 *
 * Beyond OpenSearch: an id with a control character (U+0000-U+001F, U+007F-U+009F) is refused
 * too. The plugin stores one, then cannot name it in the `Location` of its answer (HTTP carries
 * no control characters); such an id is a client's mistake, never a name someone chose.
 */
export const MAX_ID_BYTES = 512;

const CONTROL = /\p{Cc}/u;

const codePoint = (c: string): string =>
  `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** OpenSearch's ValidationException text: `Validation Failed: 1: a;2: b;`. */
export const validationFailed = (errors: readonly string[]): OpenSearchError =>
  new OpenSearchError(
    400,
    'action_request_validation_exception',
    `Validation Failed: ${errors.map((e, i) => `${i + 1}: ${e};`).join('')}`,
  );

/** IndexRequest.validate's complaint about an id's length, if it has one. */
export const idLengthError = (id: string): string | undefined => {
  const bytes = Buffer.byteLength(id);
  return bytes > MAX_ID_BYTES
    ? `id [${id}] is too long, must be no longer than ${MAX_ID_BYTES} bytes but was: ${bytes}`
    : undefined;
};

export const validateDocumentId = (id: string): void => {
  const errors: string[] = [];
  const tooLong = idLengthError(id);
  if (tooLong) errors.push(tooLong);
  const control = CONTROL.exec(id);
  if (control) errors.push(`id [${id}] must not contain control characters, found ${codePoint(control[0])}`);
  if (errors.length > 0) throw validationFailed(errors);
};
