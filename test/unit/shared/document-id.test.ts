import { validateDocumentId } from '../../../lambdas/shared/document-id';
import { headerValue } from '../../../lambdas/shared/http';

const failure = (id: string): string | undefined => {
  try {
    validateDocumentId(id);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

describe('document ids', () => {
  it('accepts what OpenSearch accepts: punctuation, spaces, unicode, up to 512 bytes', () => {
    for (const id of ['a', 'UPPER.case-1_x', 'with space', '日本', 'é'.repeat(256)]) {
      expect(failure(id)).toBeUndefined();
    }
  });

  it('refuses ids over 512 bytes with IndexRequest.validate text', () => {
    expect(failure('é'.repeat(257))).toBe(
      `Validation Failed: 1: id [${'é'.repeat(257)}] is too long, must be no longer than 512 bytes but was: 514;`,
    );
  });

  it('refuses control characters, naming the first, and numbers every failure', () => {
    expect(failure('a\u0085b')).toBe(
      'Validation Failed: 1: id [a\u0085b] must not contain control characters, found U+0085;',
    );
    const long = `\u0000${'a'.repeat(600)}`;
    expect(failure(long)).toBe(
      `Validation Failed: 1: id [${long}] is too long, must be no longer than 512 bytes but was: 601;` +
        `2: id [${long}] must not contain control characters, found U+0000;`,
    );
  });
});

describe('header values', () => {
  it('keep printable ASCII as it is and percent-encode the rest as UTF-8', () => {
    expect(headerValue('/_plugins/_ism/policies/a b"c')).toBe('/_plugins/_ism/policies/a b"c');
    expect(headerValue('/_plugins/_rollup/jobs/日本-é')).toBe(
      '/_plugins/_rollup/jobs/%E6%97%A5%E6%9C%AC-%C3%A9',
    );
    expect(headerValue('x\u0000y\ud800')).toBe('x%00y%EF%BF%BD');
  });
});
