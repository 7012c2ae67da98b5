/**
 * The per-evaluation memo: frames of small integer ids to values, stacked by `with`.
 */

import { Runtime } from "./harness";

describe("memo", () => {
  const rt = new Runtime();
  const x = rt.exports;

  it("returns undefined for an id never memoised", () => {
    expect(x.cs_memo_get(0)).toBe(0);
    expect(x.cs_memo_get(12345)).toBe(0);
  });

  it("returns what was memoised under an id, large ids included", () => {
    const a = rt.num(7);
    const b = rt.str("b");
    x.cs_memo_put(3, a);
    x.cs_memo_put(5000, b);
    expect(x.cs_memo_get(3)).toBe(a);
    expect(x.cs_memo_get(5000)).toBe(b);
    expect(x.cs_memo_get(4)).toBe(0);
  });

  it("hides the frame below behind a pushed frame and restores it on pop", () => {
    const outer = rt.num(1);
    const inner = rt.num(2);
    x.cs_memo_put(1, outer);
    x.cs_memo_push();
    expect(x.cs_memo_get(1)).toBe(0);
    x.cs_memo_put(1, inner);
    x.cs_memo_push();
    expect(x.cs_memo_get(1)).toBe(0);
    x.cs_memo_pop();
    expect(x.cs_memo_get(1)).toBe(inner);
    x.cs_memo_pop();
    expect(x.cs_memo_get(1)).toBe(outer);
  });

  it("keeps the bottom frame when popped too often", () => {
    const v = rt.num(9);
    x.cs_memo_put(2, v);
    x.cs_memo_pop();
    expect(x.cs_memo_get(2)).toBe(v);
  });

  it("supports deep stacks of frames", () => {
    for (let i = 0; i < 100; i++) {
      x.cs_memo_push();
      x.cs_memo_put(0, rt.num(i));
    }
    for (let i = 99; i >= 0; i--) {
      expect(rt.js(x.cs_memo_get(0))).toBe(i);
      x.cs_memo_pop();
    }
  });

  it("starts every evaluation, through eval or opa_eval, from a single empty frame", () => {
    x.cs_memo_put(1, rt.num(1));
    x.cs_memo_push();
    const ctx = x.opa_eval_ctx_new();
    x.eval(ctx);
    expect(x.cs_memo_get(1)).toBe(0);
    x.cs_memo_pop();
    expect(x.cs_memo_get(1)).toBe(0);
    x.cs_memo_put(1, rt.num(1));
    x.opa_eval(0, 0, 0, 0, 0, x.opa_heap_ptr_get(), 0);
    expect(x.cs_memo_get(1)).toBe(0);
  });
});
