/**
 * The bump heap: OPA's heap pointer, alignment, growth past the initial memory, and resets.
 */

import { readFileSync } from "node:fs";
import { RUNTIME_PATH, Runtime } from "./harness";
import { WasmBinary } from "./wasm-binary";

/** The fewest pages the module accepts: its static data and nothing more. */
const MINIMUM_PAGES = new WasmBinary(readFileSync(RUNTIME_PATH)).importedMemoryMinimum!;

describe("heap", () => {
  it("starts allocations at the heap pointer that opa_heap_ptr_set gives it", () => {
    const rt = new Runtime();
    const x = rt.exports;
    const base = x.opa_heap_ptr_get();
    x.opa_heap_ptr_set(base + 1001);
    const p = x.opa_malloc(10);
    expect(p).toBeGreaterThanOrEqual(base + 1001);
    expect(p).toBeLessThan(base + 1001 + 8);
    expect(x.opa_heap_ptr_get()).toBe(p + 10);
  });

  it("hands out 8-byte aligned blocks", () => {
    const rt = new Runtime();
    for (const size of [1, 3, 7, 9, 13]) expect(rt.exports.opa_malloc(size) % 8).toBe(0);
  });

  it("grows memory when allocations pass the initial pages", () => {
    const rt = new Runtime({ pages: MINIMUM_PAGES });
    const x = rt.exports;
    const before = rt.memory.buffer.byteLength;
    const p = x.opa_malloc(3 * 65536);
    expect(rt.memory.buffer.byteLength).toBeGreaterThanOrEqual(p + 3 * 65536);
    expect(rt.memory.buffer.byteLength).toBeGreaterThan(before);
    const big = Array.from({ length: 20000 }, (_, i) => ({ id: i, name: `user-${i}` }));
    expect(rt.js(rt.json(big))).toEqual(big);
  });

  it("keeps values built at start valid when evaluations reuse the heap", () => {
    const rt = new Runtime();
    const x = rt.exports;
    const base = x.opa_heap_ptr_get();
    for (let round = 0; round < 3; round++) {
      x.opa_heap_ptr_set(base);
      rt.bytes().fill(0xab, base, base + 200000);
      expect(rt.jsonText(x.cs_null())).toBe("null");
      expect(rt.jsonText(x.cs_boolean(1))).toBe("true");
      expect(rt.jsonText(x.cs_number_f64(7))).toBe("7");
      expect(rt.js(rt.json({ a: [1, 2, 3], b: "x" }))).toEqual({ a: [1, 2, 3], b: "x" });
      expect(rt.js(rt.json(Array.from({ length: 3000 }, (_, i) => i)))).toHaveLength(3000);
    }
  });

  it("keeps loaded data intact across evaluations that sort and search it", () => {
    const rt = new Runtime();
    const x = rt.exports;
    const keysText = Array.from({ length: 40 }, (_, i) => `"k${39 - i}": ${i}`).join(",");
    const data = rt.json(`{${keysText}}`);
    const dataTop = x.opa_heap_ptr_get();
    for (let round = 0; round < 3; round++) {
      x.opa_heap_ptr_set(dataTop);
      expect(rt.js(x.cs_iter_key(data, 0))).toBe("k0");
      rt.bytes().fill(0xcd, dataTop, dataTop + 100000);
      expect(rt.js(x.cs_get(data, rt.str("k5")))).toBe(34);
    }
  });
});
