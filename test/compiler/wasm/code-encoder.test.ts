// Code encoder: label names to depths, local grouping, immediates, and the errors that name the function.

import { encodeFunctionBody, planLocals, type NameResolver } from "../../../src/compiler/wasm/code-encoder";
import type { GeneratedFunction, Instr } from "../../../src/compiler/wasm/instructions";
import { ByteWriter } from "../../../src/compiler/wasm/leb128";
import { LinkError } from "../../../src/compiler/wasm/link-error";
import type { WasmType } from "../../../src/compiler/wasm/runtime-contract";

const functions = new Map([
  ["cs_null", 3],
  ["far", 300],
]);
const names: NameResolver = {
  functionIndex: (name) => functions.get(name),
  globalIndex: (name) => (name === "g_const" ? 2 : undefined),
};

function fn(body: Instr[], params: WasmType[] = [], locals: WasmType[] = []): GeneratedFunction {
  return { name: "policy_fn", params, result: null, locals, body };
}

/** The encoded body: local declarations, instructions, final end. */
function encode(f: GeneratedFunction): number[] {
  const w = new ByteWriter();
  encodeFunctionBody(f, names, w);
  return [...w.view()];
}

function failure(f: GeneratedFunction): LinkError {
  try {
    encode(f);
  } catch (e) {
    if (e instanceof LinkError) return e;
    throw e;
  }
  throw new Error("expected a LinkError");
}

describe("code encoder: labels", () => {
  it("turns label names into relative depths in nested blocks and loops", () => {
    const body: Instr[] = [
      {
        op: "block",
        label: "outer",
        body: [
          {
            op: "loop",
            label: "again",
            body: [
              {
                op: "block",
                label: "inner",
                body: [
                  { op: "br", label: "outer" },
                  { op: "i32.const", value: 1 },
                  { op: "br_if", label: "again" },
                  { op: "br", label: "inner" },
                ],
              },
            ],
          },
        ],
      },
    ];
    expect(encode(fn(body))).toEqual([
      0x00, // no local declarations
      0x02,
      0x40, // block "outer"
      0x03,
      0x40, //   loop "again"
      0x02,
      0x40, //     block "inner"
      0x0c,
      0x02, //       br outer (depth 2)
      0x41,
      0x01,
      0x0d,
      0x01, //       i32.const 1, br_if again (depth 1)
      0x0c,
      0x00, //       br inner (depth 0)
      0x0b,
      0x0b,
      0x0b, //     end end end
      0x0b, // end of function
    ]);
  });

  it("counts unlabelled blocks and if/else when computing depths", () => {
    const body: Instr[] = [
      {
        op: "block",
        label: "done",
        body: [
          { op: "i32.const", value: 0 },
          {
            op: "if",
            label: "cond",
            then: [{ op: "block", body: [{ op: "br", label: "done" }] }],
            else: [{ op: "br", label: "cond" }],
          },
        ],
      },
    ];
    expect(encode(fn(body))).toEqual([
      0x00,
      0x02,
      0x40,
      0x41,
      0x00,
      0x04,
      0x40, // if "cond"
      0x02,
      0x40,
      0x0c,
      0x02,
      0x0b, //   block: br done (past the block and the if)
      0x05,
      0x0c,
      0x00, // else: br cond
      0x0b,
      0x0b,
      0x0b,
    ]);
  });

  it("resolves a shadowed label to the innermost block of that name", () => {
    const loop: Instr = { op: "loop", label: "l", body: [{ op: "br", label: "l" }] };
    const body: Instr[] = [{ op: "block", label: "l", body: [loop] }];
    expect(encode(fn(body))).toEqual([0x00, 0x02, 0x40, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x0b]);
  });

  it("rejects a branch to a label that is not in scope, naming the function and the labels in scope", () => {
    const sibling: Instr = { op: "block", label: "b", body: [{ op: "br", label: "a" }] };
    const e = failure(fn([{ op: "block", label: "a", body: [] }, sibling]));
    expect(e.code).toBe("COUNTERSIGN_LINK_UNKNOWN_LABEL");
    expect(e.functionName).toBe("policy_fn");
    expect(e.message).toBe(
      'COUNTERSIGN_LINK_UNKNOWN_LABEL: generated function "policy_fn" br to label "a", which is not an ' +
        'enclosing block, loop or if (in scope: "b")',
    );
  });

  it("omits an empty else arm", () => {
    const body: Instr[] = [
      { op: "i32.const", value: 1 },
      { op: "if", then: [{ op: "nop" }], else: [] },
    ];
    expect(encode(fn(body))).toEqual([0x00, 0x41, 0x01, 0x04, 0x40, 0x01, 0x0b, 0x0b]);
  });
});

describe("code encoder: locals", () => {
  it("declares locals grouped by type and renumbers them, leaving parameters alone", () => {
    const plan = planLocals(1, ["f64", "i32", "f64", "i32", "i32"]);
    expect(plan.declarations).toEqual([
      [2, "f64"],
      [3, "i32"],
    ]);
    expect([...plan.newIndex]).toEqual([0, 1, 3, 2, 4, 5]);

    const body: Instr[] = [2, 3, 5, 0].map((index) => ({ op: "local.get", index }));
    expect(encode(fn(body, ["i32"], ["f64", "i32", "f64", "i32", "i32"]))).toEqual([
      0x02,
      0x02,
      0x7c,
      0x03,
      0x7f, // 2 × f64, 3 × i32
      0x20,
      0x03,
      0x20,
      0x02,
      0x20,
      0x05,
      0x20,
      0x00,
      0x0b,
    ]);
  });

  it("rejects a local index beyond the parameters and locals", () => {
    const e = failure(fn([{ op: "local.set", index: 3 }], ["i32"], ["i32", "f64"]));
    expect(e.code).toBe("COUNTERSIGN_LINK_UNKNOWN_LOCAL");
    expect(e.message).toMatch(/"policy_fn" local.set 3, but the function has 1 parameters and 2 locals/);
  });
});

describe("code encoder: immediates", () => {
  it("encodes i32 constants as signed LEB128, wrapping unsigned 32-bit values", () => {
    const body: Instr[] = [0, 64, -64, -65, 0x7fff_ffff, 0xffff_ffff].map((value) => ({ op: "i32.const", value }));
    expect(encode(fn(body))).toEqual([
      0x00, 0x41, 0x00, 0x41, 0xc0, 0x00, 0x41, 0x40, 0x41, 0xbf, 0x7f, 0x41, 0xff, 0xff, 0xff, 0xff, 0x07, 0x41, 0x7f, 0x0b,
    ]);
  });

  it("encodes i64 constants, including the extremes and unsigned values wrapping to negative", () => {
    const body: Instr[] = [-1n, 0x40n, (1n << 63n) - 1n, -(1n << 63n), (1n << 64n) - 1n].map((value) => ({
      op: "i64.const",
      value,
    }));
    expect(encode(fn(body))).toEqual([
      0x00, 0x42, 0x7f, 0x42, 0xc0, 0x00, 0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80,
      0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, 0x42, 0x7f, 0x0b,
    ]);
  });

  it("encodes f64 constants as 8 little-endian bytes", () => {
    expect(encode(fn([{ op: "f64.const", value: -2.5 }]))).toEqual([0x00, 0x44, 0, 0, 0, 0, 0, 0, 0x04, 0xc0, 0x0b]);
  });

  it("writes each store's natural alignment and its offset", () => {
    const body: Instr[] = [
      { op: "i32.store8", offset: 0 },
      { op: "i32.store", offset: 4 },
      { op: "i64.store", offset: 200 },
    ];
    expect(encode(fn(body))).toEqual([0x00, 0x3a, 0x00, 0x00, 0x36, 0x02, 0x04, 0x37, 0x03, 0xc8, 0x01, 0x0b]);
  });

  it.each<[string, Instr]>([
    ["a fractional i32", { op: "i32.const", value: 1.5 }],
    ["an i32 beyond 32 bits", { op: "i32.const", value: 2 ** 32 }],
    ["an i64 beyond 64 bits", { op: "i64.const", value: 1n << 64n }],
    ["a negative store offset", { op: "i32.store", offset: -4 }],
  ])("rejects %s", (_, instr) => {
    expect(failure(fn([instr])).code).toBe("COUNTERSIGN_LINK_BAD_IMMEDIATE");
  });
});

describe("code encoder: names", () => {
  it("encodes calls and globals by the indices the resolver gives", () => {
    const body: Instr[] = [
      { op: "call", func: "far" },
      { op: "global.set", name: "g_const" },
      { op: "global.get", name: "g_const" },
      { op: "drop" },
    ];
    expect(encode(fn(body))).toEqual([0x00, 0x10, 0xac, 0x02, 0x24, 0x02, 0x23, 0x02, 0x1a, 0x0b]);
  });

  it("rejects an unknown callee, naming the caller", () => {
    const e = failure(fn([{ op: "call", func: "cs_nope" }]));
    expect(e.code).toBe("COUNTERSIGN_LINK_UNKNOWN_FUNCTION");
    expect(e.message).toMatch(/"policy_fn" calls "cs_nope"/);
  });

  it("rejects an unknown global", () => {
    expect(failure(fn([{ op: "global.get", name: "nope" }])).code).toBe("COUNTERSIGN_LINK_UNKNOWN_GLOBAL");
  });

  it("rejects an instruction outside the subset", () => {
    const bogus = { op: "i32.mul" } as unknown as Instr;
    expect(failure(fn([bogus])).code).toBe("COUNTERSIGN_LINK_UNKNOWN_INSTRUCTION");
  });
});
