/**
 * A minimal reader of WebAssembly binaries for tests: function signatures by export name, and a rewrite that
 * swaps function bodies the way the linker replaces the policy hooks.
 */

/** A section as it appears in the binary. */
interface Section {
  readonly id: number;
  readonly start: number; // first byte of the payload
  readonly end: number;
}

/** A function type. */
export interface FuncType {
  readonly params: string[];
  readonly results: string[];
}

const VALTYPES: Record<number, string> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64" };

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
  ) {}

  byte(): number {
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return result >>> 0;
      shift += 7;
    }
  }

  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** The parts of a module the tests look at. */
export class WasmBinary {
  readonly sections: Section[] = [];
  readonly types: FuncType[] = [];
  /** Imported functions, in index order. */
  readonly importedFunctions: { module: string; name: string; type: number }[] = [];
  /** Minimum pages of the imported memory, if any. */
  importedMemoryMinimum: number | undefined;
  /** Type index of each defined function. */
  readonly functionTypes: number[] = [];
  readonly exports = new Map<string, { kind: number; index: number }>();
  start: number | undefined;

  constructor(readonly bytes: Uint8Array) {
    const r = new Reader(bytes, 8);
    while (r.pos < bytes.length) {
      const id = r.byte();
      const size = r.u32();
      this.sections.push({ id, start: r.pos, end: r.pos + size });
      r.pos += size;
    }
    for (const s of this.sections) this.readSection(s);
  }

  private readSection(s: Section): void {
    const r = new Reader(this.bytes, s.start);
    switch (s.id) {
      case 1:
        for (let n = r.u32(); n > 0; n--) {
          r.byte(); // 0x60
          const params = Array.from({ length: r.u32() }, () => VALTYPES[r.byte()]!);
          const results = Array.from({ length: r.u32() }, () => VALTYPES[r.byte()]!);
          this.types.push({ params, results });
        }
        break;
      case 2:
        for (let n = r.u32(); n > 0; n--) {
          const module = r.name();
          const name = r.name();
          const kind = r.byte();
          if (kind === 0) this.importedFunctions.push({ module, name, type: r.u32() });
          else if (kind === 1) {
            r.byte();
            r.limits();
          } else if (kind === 2) {
            const flags = r.byte();
            this.importedMemoryMinimum = r.u32();
            if (flags & 1) r.u32();
          } else if (kind === 3) {
            r.byte();
            r.byte();
          }
        }
        break;
      case 3:
        for (let n = r.u32(); n > 0; n--) this.functionTypes.push(r.u32());
        break;
      case 7:
        for (let n = r.u32(); n > 0; n--) {
          const name = r.name();
          const kind = r.byte();
          this.exports.set(name, { kind, index: r.u32() });
        }
        break;
      case 8:
        this.start = r.u32();
        break;
    }
  }

  /** The function index of an exported function. */
  exportedFunction(name: string): number {
    const e = this.exports.get(name);
    if (!e || e.kind !== 0) throw new Error(`no exported function ${name}`);
    return e.index;
  }

  /** The signature of a function by index (imports first). */
  signature(index: number): FuncType {
    const imported = this.importedFunctions.length;
    const type = index < imported ? this.importedFunctions[index]!.type : this.functionTypes[index - imported]!;
    return this.types[type]!;
  }

  /**
   * A copy of the module in which the listed functions (by index) have the given bodies instead: each body is
   * the bytes after the locals declarations, ending with 0x0b, and declares no locals.
   */
  withBodies(bodies: Map<number, number[]>): Uint8Array<ArrayBuffer> {
    const code = this.sections.find((s) => s.id === 10)!;
    const r = new Reader(this.bytes, code.start);
    const count = r.u32();
    const entries: number[] = [...uleb(count)];
    const imported = this.importedFunctions.length;
    for (let i = 0; i < count; i++) {
      const size = r.u32();
      const body = this.bytes.subarray(r.pos, r.pos + size);
      r.pos += size;
      const replacement = bodies.get(imported + i);
      const bytes = replacement ? [0x00, ...replacement] : Array.from(body);
      entries.push(...uleb(bytes.length), ...bytes);
    }
    // the section header: id, then the payload size
    let headerStart = code.start - 1;
    while (this.bytes[headerStart - 1]! & 0x80) headerStart--;
    headerStart -= 1; // the id byte
    const before = this.bytes.subarray(0, headerStart);
    const after = this.bytes.subarray(code.end);
    return new Uint8Array([...before, 10, ...uleb(entries.length), ...entries, ...after]);
  }
}
