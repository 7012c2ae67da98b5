/**
 * Built-in function types: the short notation the catalogue declares them in, and the JSON form OPA's
 * capabilities files carry (`{"type": "function", "args": [...], "result": ...}`).
 *
 * The notation is the one OPA prints types in: `number`, `array[string]` (any length), `array<number, string>`
 * (fixed elements), `set[any]`, `object[string: any]` (dynamic keys), `object<op: string>` (static keys,
 * optionally followed by `[K: V]` for the rest), `any<string, null>` (one of). A function is
 * `(T1, T2) => R`; `(...any) => void` is variadic, and `void` means it has no result.
 */

/** A type as a capabilities file writes it. */
export type TypeJson =
  | { readonly type: "any" | "boolean" | "null" | "number" | "string" }
  | { readonly type: "any"; readonly of: readonly TypeJson[] }
  | { readonly type: "array"; readonly static?: readonly TypeJson[]; readonly dynamic?: TypeJson }
  | { readonly type: "set"; readonly of: TypeJson }
  | {
      readonly type: "object";
      readonly static?: readonly { readonly key: string; readonly value: TypeJson }[];
      readonly dynamic?: { readonly key: TypeJson; readonly value: TypeJson };
    };

/** A function type as a capabilities file writes it. */
export interface FunctionDeclJson {
  readonly type: "function";
  readonly args?: readonly TypeJson[];
  readonly variadic?: TypeJson;
  readonly result?: TypeJson;
}

/** A declaration that is not in the notation above. */
export class TypeNotationError extends Error {
  constructor(text: string, detail: string) {
    super(`bad type declaration ${JSON.stringify(text)}: ${detail}`);
    this.name = "TypeNotationError";
  }
}

const SCALARS = new Set(["any", "boolean", "null", "number", "string"]);

/** Reads one declaration, left to right, by recursive descent. */
class NotationReader {
  private pos = 0;

  constructor(private readonly text: string) {}

  // function = "(" [ ["..."] type { "," type } ] ")" "=>" ( type | "void" )
  func(): FunctionDeclJson {
    this.expect("(");
    const args: TypeJson[] = [];
    let variadic: TypeJson | undefined;
    if (!this.accept(")")) {
      do {
        if (this.accept("...")) variadic = this.type();
        else if (variadic !== undefined) this.fail("a variadic operand must come last");
        else args.push(this.type());
      } while (this.accept(","));
      this.expect(")");
    }
    this.expect("=>");
    const result = this.accept("void") ? undefined : this.type();
    this.end();
    return {
      type: "function",
      ...(args.length > 0 ? { args } : {}),
      ...(variadic === undefined ? {} : { variadic }),
      ...(result === undefined ? {} : { result }),
    };
  }

  // type = scalar | "any<" list ">" | "array[" type "]" | "array<" list ">" | "set[" type "]"
  //      | "object[" type ":" type "]" | "object<" key ":" type { "," key ":" type } ">" [ "[" type ":" type "]" ]
  type(): TypeJson {
    const name = this.word();
    if (name === "any" && this.accept("<")) return { type: "any", of: this.list(">") };
    if (name === "array") {
      if (this.accept("[")) {
        const dynamic = this.type();
        this.expect("]");
        return { type: "array", dynamic };
      }
      this.expect("<");
      return { type: "array", static: this.list(">") };
    }
    if (name === "set") {
      this.expect("[");
      const of = this.type();
      this.expect("]");
      return { type: "set", of };
    }
    if (name === "object") {
      let fields: { key: string; value: TypeJson }[] | undefined;
      if (this.accept("<")) {
        fields = [];
        do {
          const key = this.word();
          this.expect(":");
          fields.push({ key, value: this.type() });
        } while (this.accept(","));
        this.expect(">");
      }
      let dynamic: { key: TypeJson; value: TypeJson } | undefined;
      if (this.accept("[")) {
        const key = this.type();
        this.expect(":");
        dynamic = { key, value: this.type() };
        this.expect("]");
      }
      if (fields === undefined && dynamic === undefined) this.fail("an object type needs <fields> or [key: value]");
      return { type: "object", ...(fields === undefined ? {} : { static: fields }), ...(dynamic === undefined ? {} : { dynamic }) };
    }
    if (!SCALARS.has(name)) this.fail(`unknown type ${name}`);
    return { type: name as "any" };
  }

  private list(close: string): TypeJson[] {
    const items: TypeJson[] = [];
    do items.push(this.type());
    while (this.accept(","));
    this.expect(close);
    return items;
  }

  private word(): string {
    this.skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (m === null) this.fail("expected a name");
    this.pos += m[0].length;
    return m[0];
  }

  private accept(token: string): boolean {
    this.skip();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.accept(token)) this.fail(`expected ${token}`);
  }

  private end(): void {
    this.skip();
    if (this.pos !== this.text.length) this.fail("unexpected text after the result type");
  }

  private skip(): void {
    while (this.text[this.pos] === " ") this.pos++;
  }

  private fail(detail: string): never {
    throw new TypeNotationError(this.text, `${detail} at offset ${this.pos}`);
  }
}

/** The capabilities JSON of a function type written in the notation. Throws TypeNotationError. */
export function parseFunctionType(text: string): FunctionDeclJson {
  return new NotationReader(text).func();
}

/** The number of operands a function type takes, or -1 when it is variadic. */
export function declArity(decl: FunctionDeclJson): number {
  return decl.variadic !== undefined ? -1 : (decl.args?.length ?? 0);
}
