/**
 * Where each value of a JSON request body starts in its text, as Jackson reports a token's
 * location (1-based line and column), so that an XContent token error can say `line`/`col` as
 * OpenSearch's `parsing_exception` does:
 *
 *   const at = tokenLocations('{"policy":"text"}', JSON.parse('{"policy":"text"}'));
 *   at.ofKey(root, 'policy') // { line: 1, col: 11 }
 *
 * The text must be valid JSON (it was parsed already). With a duplicate key, the location is
 * the last occurrence's, whose value JSON.parse keeps.
 */
export interface TokenLocation {
  line: number;
  col: number;
}

export interface TokenLocations {
  /** Where the whole body's value starts. */
  readonly root: TokenLocation;
  /** Where the value of `container[key]` starts. */
  ofKey(container: object, key: string | number): TokenLocation | undefined;
  /** Where an object's or array's own value starts (its `{` or `[`). */
  ofValue(value: object): TokenLocation | undefined;
  /** Where an object's field name `key` starts. */
  ofName(container: object, key: string): TokenLocation | undefined;
  /** Where an object's or array's closing `}` or `]` is. */
  ofEnd(value: object): TokenLocation | undefined;
}

class Scanner {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  readonly children = new WeakMap<object, Map<string | number, TokenLocation>>();
  readonly names = new WeakMap<object, Map<string, TokenLocation>>();
  readonly starts = new WeakMap<object, TokenLocation>();
  readonly ends = new WeakMap<object, TokenLocation>();

  constructor(private readonly text: string) {}

  private here(): TokenLocation {
    return { line: this.line, col: this.pos - this.lineStart + 1 };
  }

  private skipWs(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) {
      if (this.text[this.pos] === '\n') {
        this.line++;
        this.lineStart = this.pos + 1;
      }
      this.pos++;
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.text.length && this.text[this.pos] !== '"') {
      this.pos += this.text[this.pos] === '\\' ? 2 : 1;
    }
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  /** Reads one value whose parsed form is `value`; returns where it starts. */
  value(value: unknown): TokenLocation {
    this.skipWs();
    const at = this.here();
    const c = this.text[this.pos];
    if (c === '{') this.object(value as Record<string, unknown>, at);
    else if (c === '[') this.array(value as unknown[], at);
    else if (c === '"') this.string();
    else this.pos += /^[^\s,:{}[\]]+/.exec(this.text.slice(this.pos))?.[0].length ?? 1;
    return at;
  }

  private object(obj: Record<string, unknown>, at: TokenLocation): void {
    this.starts.set(obj, at);
    const children = new Map<string, TokenLocation>();
    const names = new Map<string, TokenLocation>();
    this.children.set(obj, children);
    this.names.set(obj, names);
    this.pos++;
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] === '}' || this.pos >= this.text.length) break;
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      const nameAt = this.here();
      const key = this.string();
      names.set(key, nameAt);
      this.skipWs();
      this.pos++; // ':'
      children.set(key, this.value(obj[key]));
    }
    this.ends.set(obj, this.here());
    this.pos++;
  }

  private array(arr: unknown[], at: TokenLocation): void {
    this.starts.set(arr, at);
    const children = new Map<number, TokenLocation>();
    this.children.set(arr, children as Map<string | number, TokenLocation>);
    this.pos++;
    let i = 0;
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] === ']' || this.pos >= this.text.length) break;
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      children.set(i, this.value(arr[i]));
      i++;
    }
    this.ends.set(arr, this.here());
    this.pos++;
  }
}

export const tokenLocations = (text: string, parsed: unknown): TokenLocations => {
  const scanner = new Scanner(text);
  const root = scanner.value(parsed);
  return {
    root,
    ofKey: (container, key) => scanner.children.get(container)?.get(key),
    ofValue: (value) => scanner.starts.get(value),
    ofName: (container, key) => scanner.names.get(container)?.get(key),
    ofEnd: (value) => scanner.ends.get(value),
  };
};
