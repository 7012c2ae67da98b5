/**
 * The smallest module the SDK accepts (ABI 1.2): it parses nothing and always answers `[]`. Evaluating it
 * measures the SDK's own floor, against which the runtime's cost is judged.
 */

const EXPORT_FUNC = 0x00;
const EXPORT_GLOBAL = 0x03;

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

function name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...uleb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

/** The module's bytes. */
export function trivialPolicy(): Uint8Array<ArrayBuffer> {
  const I32 = 0x7f;
  const types = [
    [0x60, 1, I32, 1, I32], // 0: (i32) -> i32
    [0x60, 2, I32, I32, 1, I32], // 1: (i32, i32) -> i32
    [0x60, 0, 1, I32], // 2: () -> i32
    [0x60, 1, I32, 0], // 3: (i32) -> ()
    [0x60, 7, I32, I32, I32, I32, I32, I32, I32, 1, I32], // 4: opa_eval
  ];
  const functions: [string, number, number[]][] = [
    ["opa_malloc", 0, [0x23, 0, 0x23, 0, 0x20, 0, 0x6a, 0x24, 0]], // old heap; heap += size
    ["opa_json_parse", 1, [0x41, 1]],
    ["opa_json_dump", 0, [0x41, 16]], // "{}"
    ["opa_heap_ptr_get", 2, [0x23, 0]],
    ["opa_heap_ptr_set", 3, [0x20, 0, 0x24, 0]],
    ["builtins", 2, [0x41, 1]],
    ["entrypoints", 2, [0x41, 1]],
    ["opa_eval", 4, [0x41, 32]], // "[]"
  ];
  const globals = [
    [I32, 1, 0x41, ...uleb(1024), 0x0b], // heap pointer
    [I32, 0, 0x41, 1, 0x0b], // opa_wasm_abi_version
    [I32, 0, 0x41, 2, 0x0b], // opa_wasm_abi_minor_version
  ];
  const exports = [
    ...functions.map(([n], i) => [...name(n), EXPORT_FUNC, ...uleb(i)]),
    [...name("opa_wasm_abi_version"), EXPORT_GLOBAL, 1],
    [...name("opa_wasm_abi_minor_version"), EXPORT_GLOBAL, 2],
  ];
  const bodies = functions.map(([, , code]) => {
    const body = [0, ...code, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const data = [
    [0, 0x41, 16, 0x0b, 3, 0x7b, 0x7d, 0], // "{}\0" at 16
    [0, 0x41, 32, 0x0b, 3, 0x5b, 0x5d, 0], // "[]\0" at 32
  ];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(types)),
    ...section(2, vector([[...name("env"), ...name("memory"), 0x02, 0x00, 0x01]])),
    ...section(3, vector(functions.map(([, type]) => uleb(type)))),
    ...section(6, vector(globals)),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
    ...section(11, vector(data)),
  ]);
}
