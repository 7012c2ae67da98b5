/**
 * The Rego lexer: turns source text into a flat list of tokens with 1-based line and column.
 *
 * The lexer knows nothing of grammar. It records what the parser needs to decide layout questions: whether
 * a newline or any blank (space, tab, comment) came before a token, because Rego ends a literal at a newline
 * and only joins `a.b`, `a[b]` and `f(x)` when nothing separates the parts. Malformed input (an unterminated
 * string, a stray character) becomes a diagnostic and lexing carries on, so the parser still sees the rest.
 * Columns count characters (code points), a tab counting as one.
 */

import type { Diagnostics, Location } from "./diagnostics";

/**
 * The broad class of a token; keywords are `ident` tokens, told apart by the parser. An `invalid` token is a
 * character that starts no token; it has been reported already, so the parser stops at it without a second
 * message.
 */
export type TokenKind = "ident" | "number" | "string" | "punct" | "invalid" | "eof";

/** One token. */
export interface Token {
  readonly kind: TokenKind;
  /** The source text; for `eof` the empty string. */
  readonly text: string;
  /** For strings, the unescaped value; otherwise the same as `text`. */
  readonly value: string;
  readonly line: number;
  readonly col: number;
  /** A line break (possibly inside a comment's line) separates this token from the previous one. */
  readonly newlineBefore: boolean;
  /** Any whitespace or comment separates this token from the previous one. */
  readonly spaceBefore: boolean;
}

/** Two-character operators, checked before single characters. */
const TWO_CHAR_PUNCT = new Set([":=", "==", "!=", "<=", ">="]);
/** Single-character punctuation and operators. */
const ONE_CHAR_PUNCT = new Set(["{", "}", "[", "]", "(", ")", ".", ",", ";", ":", "|", "&", "=", "<", ">", "+", "-", "*", "/", "%"]);

/** JSON single-character escapes and what they stand for. */
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

function isIdentStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function isHexDigit(c: string): boolean {
  return isDigit(c) || (c >= "a" && c <= "f") || (c >= "A" && c <= "F");
}

/**
 * Splits `text` into tokens, ending with one `eof` token. Lexical errors are added to `diags` as
 * `rego_parse_error`; the offending characters are skipped or the token is cut short, and lexing continues.
 */
export function tokenize(file: string, text: string, diags: Diagnostics): Token[] {
  return new Lexer(file, text, diags).run();
}

class Lexer {
  private pos = 0;
  private line = 1;
  private col = 1;
  private readonly tokens: Token[] = [];

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly diags: Diagnostics,
  ) {}

  run(): Token[] {
    if (this.text.startsWith("\uFEFF")) this.pos = 1; // a byte-order mark is not part of the source
    let newlineBefore = false;
    let spaceBefore = false;
    for (;;) {
      const skipped = this.skipBlanks();
      newlineBefore = newlineBefore || skipped.newline;
      spaceBefore = spaceBefore || skipped.space;
      const line = this.line;
      const col = this.col;
      if (this.pos >= this.text.length) {
        this.tokens.push({ kind: "eof", text: "", value: "", line, col, newlineBefore, spaceBefore });
        return this.tokens;
      }
      this.tokens.push(this.scanToken(line, col, newlineBefore, spaceBefore));
      newlineBefore = false;
      spaceBefore = false;
    }
  }

  /** Skips whitespace and comments, reporting whether a line break or any blank was seen. */
  private skipBlanks(): { newline: boolean; space: boolean } {
    let newline = false;
    let space = false;
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (c === "\n") {
        newline = true;
        space = true;
        this.pos++;
        this.line++;
        this.col = 1;
      } else if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v") {
        space = true;
        this.advance();
      } else if (c === "#") {
        space = true;
        while (this.pos < text.length && text[this.pos] !== "\n") this.advance();
      } else {
        break;
      }
    }
    return { newline, space };
  }

  /** Scans one token starting at the current position; a stray character is reported and becomes `invalid`. */
  private scanToken(line: number, col: number, newlineBefore: boolean, spaceBefore: boolean): Token {
    const text = this.text;
    const start = this.pos;
    const c = text[start]!;
    const make = (kind: TokenKind, value?: string): Token => {
      const raw = text.slice(start, this.pos);
      return { kind, text: raw, value: value ?? raw, line, col, newlineBefore, spaceBefore };
    };

    // ident = ( letter | "_" ) { letter | digit | "_" }
    if (isIdentStart(c)) {
      while (this.pos < text.length && isIdentPart(text[this.pos]!)) this.advance();
      return make("ident");
    }
    // number = digits [ "." digits ] [ ( "e" | "E" ) [ "+" | "-" ] digits ]
    if (isDigit(c)) {
      this.scanNumber(line, col);
      return make("number");
    }
    // string = '"' { char | escape } '"'
    if (c === '"') {
      return make("string", this.scanString(line, col));
    }
    // raw-string = "`" { char } "`"
    if (c === "`") {
      return make("string", this.scanRawString(line, col));
    }
    const two = text.slice(start, start + 2);
    if (TWO_CHAR_PUNCT.has(two)) {
      this.advance();
      this.advance();
      return make("punct");
    }
    if (ONE_CHAR_PUNCT.has(c)) {
      this.advance();
      return make("punct");
    }
    this.advance();
    this.error(line, col, `unexpected character '${text.slice(start, this.pos)}'`);
    return make("invalid");
  }

  private scanNumber(line: number, col: number): void {
    const text = this.text;
    const start = this.pos;
    while (this.pos < text.length && isDigit(text[this.pos]!)) this.advance();
    if (text[start] === "0" && this.pos - start > 1) {
      this.error(line, col, `invalid number '${text.slice(start, this.pos)}': leading zeros are not allowed`);
    }
    if (text[this.pos] === "." && isDigit(text[this.pos + 1] ?? "")) {
      this.advance();
      while (this.pos < text.length && isDigit(text[this.pos]!)) this.advance();
    }
    if (text[this.pos] === "e" || text[this.pos] === "E") {
      this.advance();
      if (text[this.pos] === "+" || text[this.pos] === "-") this.advance();
      if (!isDigit(text[this.pos] ?? "")) {
        this.error(line, col, `invalid number '${text.slice(start, this.pos)}': exponent has no digits`);
        return;
      }
      while (this.pos < text.length && isDigit(text[this.pos]!)) this.advance();
    }
  }

  /** Scans a double-quoted string and returns its unescaped value. Stops at a line break if unterminated. */
  private scanString(line: number, col: number): string {
    const text = this.text;
    this.advance(); // opening quote
    let value = "";
    let chunkStart = this.pos;
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (c === '"') {
        value += text.slice(chunkStart, this.pos);
        this.advance();
        return value;
      }
      if (c === "\n") break;
      if (c !== "\\") {
        this.advance();
        continue;
      }
      value += text.slice(chunkStart, this.pos);
      const escLine = this.line;
      const escCol = this.col;
      this.advance(); // backslash
      const e = text[this.pos] ?? "";
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        value += simple;
        this.advance();
      } else if (e === "u") {
        this.advance();
        const hex = text.slice(this.pos, this.pos + 4);
        if (hex.length === 4 && [...hex].every(isHexDigit)) {
          // UTF-16 code units: a surrogate pair written as two escapes joins up by itself.
          value += String.fromCharCode(parseInt(hex, 16));
          for (let i = 0; i < 4; i++) this.advance();
        } else {
          this.error(escLine, escCol, "invalid unicode escape in string: '\\u' must be followed by 4 hex digits");
        }
      } else if (e === "\n" || e === "") {
        break;
      } else {
        this.error(escLine, escCol, `invalid escape sequence '\\${e}' in string`);
        this.advance();
      }
      chunkStart = this.pos;
    }
    value += text.slice(chunkStart, this.pos);
    this.error(line, col, "unterminated string");
    return value;
  }

  /** Scans a backquoted raw string, which may span lines and has no escapes. */
  private scanRawString(line: number, col: number): string {
    const text = this.text;
    this.advance(); // opening backquote
    const start = this.pos;
    while (this.pos < text.length && text[this.pos] !== "`") {
      if (text[this.pos] === "\n") {
        this.pos++;
        this.line++;
        this.col = 1;
      } else {
        this.advance();
      }
    }
    const value = text.slice(start, this.pos);
    if (this.pos >= text.length) {
      this.error(line, col, "unterminated raw string");
    } else {
      this.advance(); // closing backquote
    }
    return value;
  }

  /** Moves past one character on the current line (a surrogate pair counts as one column). */
  private advance(): void {
    const code = this.text.charCodeAt(this.pos);
    const next = this.text.charCodeAt(this.pos + 1);
    const pair = code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff;
    this.pos += pair ? 2 : 1;
    this.col++;
  }

  private error(line: number, col: number, message: string): void {
    const loc: Location = { file: this.file, line, col };
    this.diags.add("rego_parse_error", loc, message);
  }
}
