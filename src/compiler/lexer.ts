/**
 * The Rego lexer: turns source text into a flat list of tokens with 1-based line and column.
 *
 * The lexer knows nothing of grammar. It records what the parser needs to decide layout questions: whether
 * a newline or any blank (space, tab, comment) came before a token, because Rego ends a literal at a newline
 * and only joins `a.b`, `a[b]` and `f(x)` when nothing separates the parts. Malformed input (an unterminated
 * string, a stray character) becomes a diagnostic and lexing carries on, so the parser still sees the rest.
 * Columns count characters (code points), a tab counting as one. A template string (`$"…{expr}…"`) is one
 * token whose parts carry the tokens of each embedded expression, lexed like the rest of the source.
 */

import type { Diagnostics, Location } from "./diagnostics";

/**
 * The broad class of a token; keywords are `ident` tokens, told apart by the parser. An `invalid` token is a
 * character that starts no token; it has been reported already, so the parser stops at it without a second
 * message.
 */
export type TokenKind = "ident" | "number" | "string" | "template" | "punct" | "invalid" | "eof";

/**
 * One part of a template string (`$"…{expr}…"`, `` $`…{expr}…` ``): literal text, already unescaped, or the
 * tokens of one embedded expression, ending with an `eof` token placed at its closing `}`.
 */
export type TemplatePart = { readonly kind: "text"; readonly value: string } | { readonly kind: "expr"; readonly tokens: readonly Token[] };

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
  /** For `template` tokens: the literal text and embedded expressions, in source order. */
  readonly parts?: readonly TemplatePart[];
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

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly diags: Diagnostics,
  ) {}

  run(): Token[] {
    if (this.text.startsWith("\uFEFF")) this.pos = 1; // a byte-order mark is not part of the source
    return this.scanTokens(null);
  }

  /**
   * Scans tokens up to the end of the text, or, with `open` given (the `{` of a template expression), up to
   * the `}` that closes it, which is consumed. The list ends with an `eof` token at the end (or at that `}`).
   */
  private scanTokens(open: { line: number; col: number } | null): Token[] {
    const tokens: Token[] = [];
    let newlineBefore = false;
    let spaceBefore = false;
    let depth = 0;
    for (;;) {
      const skipped = this.skipBlanks();
      newlineBefore = newlineBefore || skipped.newline;
      spaceBefore = spaceBefore || skipped.space;
      const line = this.line;
      const col = this.col;
      const atEnd = this.pos >= this.text.length;
      if (open !== null && atEnd) this.error(open.line, open.col, "unterminated template string expression: expected '}'");
      if (atEnd || (open !== null && depth === 0 && this.text[this.pos] === "}")) {
        if (!atEnd) this.advance(); // the closing brace
        tokens.push({ kind: "eof", text: "", value: "", line, col, newlineBefore, spaceBefore });
        return tokens;
      }
      const token = this.scanToken(line, col, newlineBefore, spaceBefore);
      if (token.kind === "punct" && token.text === "{") depth++;
      if (token.kind === "punct" && token.text === "}") depth--;
      tokens.push(token);
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
    // template = "$" ( '"' { char | escape | "\{" | "{" expr "}" } '"' | "`" { char | "\{" | "{" expr "}" } "`" )
    if (c === "$" && (text[start + 1] === '"' || text[start + 1] === "`")) {
      const parts = this.scanTemplate(line, col);
      return { ...make("template"), parts };
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
      const escaped = this.escape();
      if (escaped === undefined) break;
      value += escaped;
      chunkStart = this.pos;
    }
    value += text.slice(chunkStart, this.pos);
    this.error(line, col, "unterminated string");
    return value;
  }

  /**
   * Reads one escape sequence at the backslash under the cursor and returns its text (reporting a bad one and
   * returning what it stands for, or nothing); undefined when the line or the text ends there instead.
   */
  private escape(): string | undefined {
    const text = this.text;
    const escLine = this.line;
    const escCol = this.col;
    this.advance(); // backslash
    const e = text[this.pos] ?? "";
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      this.advance();
      return simple;
    }
    if (e === "u") {
      this.advance();
      const hex = text.slice(this.pos, this.pos + 4);
      if (hex.length === 4 && [...hex].every(isHexDigit)) {
        for (let i = 0; i < 4; i++) this.advance();
        // UTF-16 code units: a surrogate pair written as two escapes joins up by itself.
        return String.fromCharCode(parseInt(hex, 16));
      }
      this.error(escLine, escCol, "invalid unicode escape in string: '\\u' must be followed by 4 hex digits");
      return "";
    }
    if (e === "\n" || e === "") return undefined;
    this.error(escLine, escCol, `invalid escape sequence '\\${e}' in string`);
    this.advance();
    return "";
  }

  /**
   * Scans a template string from its `$`. Literal text follows the string's own rules (escapes and a single
   * line for `$"…"`, anything up to the backquote for `` $`…` ``), plus `\{` for a literal brace; a `{`
   * starts an embedded expression, lexed as ordinary tokens up to its matching `}`, so it may hold strings,
   * braces and further templates.
   */
  private scanTemplate(line: number, col: number): TemplatePart[] {
    const text = this.text;
    this.advance(); // $
    const raw = text[this.pos] === "`";
    const close = raw ? "`" : '"';
    this.advance(); // opening quote
    const parts: TemplatePart[] = [];
    let value = "";
    let chunkStart = this.pos;
    const flush = () => {
      value += text.slice(chunkStart, this.pos);
      if (value !== "") parts.push({ kind: "text", value });
      value = "";
    };
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (c === close) {
        flush();
        this.advance();
        return parts;
      }
      if (c === "{") {
        flush();
        const open = { line: this.line, col: this.col };
        this.advance();
        parts.push({ kind: "expr", tokens: this.scanTokens(open) });
        chunkStart = this.pos;
        continue;
      }
      if (c === "\n") {
        if (!raw) break;
        this.pos++;
        this.line++;
        this.col = 1;
        continue;
      }
      if (c !== "\\") {
        this.advance();
        continue;
      }
      if (text[this.pos + 1] === "{") {
        value += text.slice(chunkStart, this.pos) + "{";
        this.advance();
        this.advance();
        chunkStart = this.pos;
        continue;
      }
      if (raw) {
        this.advance();
        continue;
      }
      value += text.slice(chunkStart, this.pos);
      const escaped = this.escape();
      if (escaped === undefined) break;
      value += escaped;
      chunkStart = this.pos;
    }
    flush();
    this.error(line, col, "unterminated template string");
    return parts;
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
