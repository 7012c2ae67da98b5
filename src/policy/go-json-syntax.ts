/**
 * JSON syntax errors in the words of Go's `encoding/json` (`invalid character 'e' looking for beginning of
 * value`, `unexpected end of JSON input`), for builtins whose failures OPA reports as Go's decoder does.
 */

/** Go's quoting of the offending character in a syntax error: `'x'`, `'\''`, `'"'`, `'\n'`. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = JSON.stringify(c);
  return "'" + q.slice(1, -1) + "'";
}

class Scan {
  i = 0;
  constructor(readonly s: string) {}

  fail(context: string): never {
    if (this.i >= this.s.length) throw new SyntaxError("unexpected end of JSON input");
    const c = String.fromCodePoint(this.s.codePointAt(this.i)!);
    throw new SyntaxError(`invalid character ${quoteChar(c)} ${context}`);
  }

  space(): void {
    while (this.i < this.s.length && " \t\r\n".includes(this.s[this.i]!)) this.i++;
  }

  value(): void {
    this.space();
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    if (c === "t") return this.literal("true");
    if (c === "f") return this.literal("false");
    if (c === "n") return this.literal("null");
    this.fail("looking for beginning of value");
  }

  literal(word: string): void {
    for (let k = 0; k < word.length; k++, this.i++) {
      if (this.s[this.i] !== word[k]) this.fail(`in literal ${word} (expecting ${quoteChar(word[k]!)})`);
    }
  }

  digits(context: string): void {
    if (!(this.s[this.i]! >= "0" && this.s[this.i]! <= "9")) this.fail(context);
    while (this.s[this.i]! >= "0" && this.s[this.i]! <= "9") this.i++;
  }

  number(): void {
    if (this.s[this.i] === "-") this.i++;
    if (this.s[this.i] === "0") this.i++;
    else this.digits("in numeric literal");
    if (this.s[this.i] === ".") {
      this.i++;
      this.digits("after decimal point in numeric literal");
    }
    if (this.s[this.i] === "e" || this.s[this.i] === "E") {
      this.i++;
      if (this.s[this.i] === "+" || this.s[this.i] === "-") this.i++;
      this.digits("in exponent of numeric literal");
    }
  }

  string(): void {
    this.i++;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail("");
      if (c === '"') {
        this.i++;
        return;
      }
      if (c < " ") this.fail("in string literal");
      if (c === "\\") {
        this.i++;
        const e = this.s[this.i];
        if (e === "u") {
          for (let k = 0; k < 4; k++) {
            this.i++;
            if (!/[0-9a-fA-F]/.test(this.s[this.i] ?? "")) this.fail("in \\u hexadecimal character escape");
          }
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          this.fail("in string escape code");
        }
      }
      this.i++;
    }
  }

  object(): void {
    this.i++;
    this.space();
    if (this.s[this.i] === "}") {
      this.i++;
      return;
    }
    for (;;) {
      this.space();
      if (this.s[this.i] !== '"') this.fail("looking for beginning of object key string");
      this.string();
      this.space();
      if (this.s[this.i] !== ":") this.fail("after object key");
      this.i++;
      this.value();
      this.space();
      if (this.s[this.i] === ",") {
        this.i++;
        continue;
      }
      if (this.s[this.i] === "}") {
        this.i++;
        return;
      }
      this.fail("after object key:value pair");
    }
  }

  array(): void {
    this.i++;
    this.space();
    if (this.s[this.i] === "]") {
      this.i++;
      return;
    }
    for (;;) {
      this.value();
      this.space();
      if (this.s[this.i] === ",") {
        this.i++;
        continue;
      }
      if (this.s[this.i] === "]") {
        this.i++;
        return;
      }
      this.fail("after array element");
    }
  }
}

/** Go's error for the first syntax error in the text, or null when it is one valid JSON value. */
export function goJsonSyntaxError(text: string): string | null {
  const scan = new Scan(text);
  try {
    scan.value();
    scan.space();
    if (scan.i < text.length) scan.fail("after top-level value");
    return null;
  } catch (err) {
    if (err instanceof SyntaxError) return err.message;
    throw err;
  }
}

/** Parses JSON text, raising Go's wording of a syntax error. */
export function parseJsonGo(text: string): unknown {
  const problem = goJsonSyntaxError(text);
  if (problem !== null) throw new SyntaxError(problem);
  return JSON.parse(text) as unknown;
}
