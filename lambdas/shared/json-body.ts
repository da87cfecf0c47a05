import { OpenSearchError } from './errors';

/**
 * A request body parsed as OpenSearch's Jackson parser reads it, so that malformed JSON fails
 * with the error the cluster gives: `json_e_o_f_exception` for a body that ends too soon,
 * `json_parse_exception` for an unexpected character, each with Jackson's location
 * (`line: L, column: C`, 1-based, the column just past the offending input).
 *
 *   parseJsonBody('{"transform": ')
 *   // throws json_e_o_f_exception "Unexpected end-of-input within/between Object entries\n at [...; line: 1, column: 15]"
 */
const SOURCE = 'Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)';

type Frame = 'Object' | 'Array';

class Scanner {
  pos = 0;
  readonly stack: { kind: Frame; line: number; column: number }[] = [];
  constructor(readonly text: string) {}

  location(at = this.pos): string {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return `[${SOURCE}; line: ${line}, column: ${at - lineStart + 1}]`;
  }

  eof(message: string): OpenSearchError {
    const reason = `${message}\n at ${this.location(this.text.length)}`;
    return new OpenSearchError(400, 'json_e_o_f_exception', reason);
  }

  unexpected(what: string): OpenSearchError {
    const c = this.text[this.pos];
    const reason = `Unexpected character ('${c}' (code ${c.charCodeAt(0)})): ${what}\n at ${this.location(this.pos + 1)}`;
    return new OpenSearchError(400, 'json_parse_exception', reason);
  }

  skipWs(): boolean {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
    return this.pos < this.text.length;
  }

  /** EOF where a value or an entry was expected inside the current container. */
  eofInside(): OpenSearchError {
    const top = this.stack[this.stack.length - 1];
    if (!top) return this.eof('No content to map due to end-of-input');
    return this.eof(`Unexpected end-of-input within/between ${top.kind} entries`);
  }

  /** EOF after a complete value inside a container: its close marker is missing. */
  eofUnclosed(): OpenSearchError {
    const top = this.stack[this.stack.length - 1];
    const kind = top.kind === 'Object' ? 'OBJECT' : 'ARRAY';
    return this.eof(
      `Unexpected end-of-input: expected close marker for ${kind} (start marker at [${SOURCE}; line: ${top.line}, column: ${top.column}])`,
    );
  }

  openAt(kind: Frame): void {
    const loc = this.location(this.pos);
    const m = /line: (\d+), column: (\d+)/.exec(loc) as RegExpExecArray;
    this.stack.push({ kind, line: Number(m[1]), column: Number(m[2]) });
  }

  value(): void {
    if (!this.skipWs()) throw this.eofInside();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.pos));
    if (literal) {
      this.pos += literal[0].length;
      return;
    }
    const token = /^[^\s,:{}[\]"]+/.exec(this.text.slice(this.pos));
    if (token && /^[A-Za-z]/.test(token[0])) {
      throw new OpenSearchError(
        400,
        'json_parse_exception',
        `Unrecognized token '${token[0]}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at ${this.location(this.pos + token[0].length)}`,
      );
    }
    throw this.unexpected(
      "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    );
  }

  string(): void {
    this.pos++;
    while (this.pos < this.text.length && this.text[this.pos] !== '"') {
      this.pos += this.text[this.pos] === '\\' ? 2 : 1;
    }
    if (this.pos >= this.text.length) {
      throw this.eof('Unexpected end-of-input: was expecting closing quote for a string value');
    }
    this.pos++;
  }

  object(): void {
    this.openAt('Object');
    this.pos++;
    if (!this.skipWs()) throw this.eofUnclosed();
    if (this.text[this.pos] === '}') {
      this.pos++;
      this.stack.pop();
      return;
    }
    for (;;) {
      if (!this.skipWs()) throw this.eofInside();
      if (this.text[this.pos] !== '"')
        throw this.unexpected('was expecting double-quote to start field name');
      this.string();
      if (!this.skipWs()) throw this.eofInside();
      if (this.text[this.pos] !== ':')
        throw this.unexpected('was expecting a colon to separate field name and value');
      this.pos++;
      this.value();
      if (!this.skipWs()) throw this.eofUnclosed();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') break;
      if (c !== ',') {
        this.pos--;
        throw this.unexpected('was expecting comma to separate Object entries');
      }
    }
    this.stack.pop();
  }

  array(): void {
    this.openAt('Array');
    this.pos++;
    if (!this.skipWs()) throw this.eofUnclosed();
    if (this.text[this.pos] === ']') {
      this.pos++;
      this.stack.pop();
      return;
    }
    for (;;) {
      this.value();
      if (!this.skipWs()) throw this.eofUnclosed();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') break;
      if (c !== ',') {
        this.pos--;
        throw this.unexpected('was expecting comma to separate Array entries');
      }
    }
    this.stack.pop();
  }
}

/** JSON.parse, with Jackson's error for what it refuses. */
export const parseJsonBody = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (e) {
    const scanner = new Scanner(text);
    scanner.value();
    // The scanner accepted what JSON.parse did not (e.g. a bad escape): JSON.parse's own words.
    throw new OpenSearchError(
      400,
      'json_parse_exception',
      `Failed to parse request body: ${(e as Error).message}`,
    );
  }
};
