/**
 * The one masking module the logs, the approval views, the Teams cards and the audit trail use: values at
 * JSON pointers replaced, secret-named members replaced wherever they are, the original untouched, unknown
 * pointers harmless, invalid pointers masking everything.
 */

import { MASK_MARKER, maskDocument, maskJson } from "../../src/json/document-masking";

const doc = {
  action: { name: "db.export", params: { query: "select 1", "a/b": "slash", "t~x": "tilde" } },
  context: { tickets: ["OPS-1", "OPS-2"], reason: "r" },
};

describe("maskDocument", () => {
  it("replaces the values at the pointers with the marker, objects and array items alike", () => {
    const masked = maskDocument(doc, ["/action/params/query", "/context/tickets/1"]);
    expect(masked).toEqual({
      action: { name: "db.export", params: { query: MASK_MARKER, "a/b": "slash", "t~x": "tilde" } },
      context: { tickets: ["OPS-1", MASK_MARKER], reason: "r" },
    });
  });

  it("leaves the original document untouched and shares what it did not change", () => {
    const before = JSON.stringify(doc);
    const masked = maskDocument(doc, ["/action/params/query"]);
    expect(JSON.stringify(doc)).toBe(before);
    expect(masked.context).toBe(doc.context);
  });

  it("masks whole subtrees, and understands the ~0 and ~1 escapes", () => {
    expect(maskDocument(doc, ["/action/params"]).action.params).toBe(MASK_MARKER);
    const masked = maskDocument(doc, ["/action/params/a~1b", "/action/params/t~0x"]);
    expect(masked.action.params).toEqual({ query: "select 1", "a/b": MASK_MARKER, "t~x": MASK_MARKER });
  });

  it("ignores pointers to nothing", () => {
    expect(maskDocument(doc, ["/nope", "/context/tickets/7", "/context/tickets/x", "/context/reason/deeper"])).toEqual(doc);
  });

  it("masks the whole document for a pointer that is not a JSON pointer, since its intent is unknown", () => {
    expect(maskDocument(doc, ["action/params/query"])).toBe(MASK_MARKER);
    expect(maskDocument(doc, ["/bad~2escape"])).toBe(MASK_MARKER);
  });

  it("lets the caller choose the replacement (the audit trail adds a salted hash)", () => {
    const masked = maskDocument(doc, ["/context/reason"], (value, pointer) => ({ masked: pointer, length: String(value).length }));
    expect(masked.context.reason).toEqual({ masked: "/context/reason", length: 1 });
  });

  it("masks secret-named members anywhere, whatever the pointers, and reports every masked pointer", () => {
    const withSecrets = { ...doc, context: { ...doc.context, password: "hunter2", nested: [{ "X-Api-Key": "k-123" }] } };
    const { value, masked } = maskJson(withSecrets, ["/action/params/query"]);
    const text = JSON.stringify(value);
    for (const secret of ["hunter2", "k-123", "select 1"]) expect(text).not.toContain(secret);
    expect(masked).toEqual(["/action/params/query", "/context/password", "/context/nested/0/X-Api-Key"]);
    expect(maskDocument(withSecrets, []).context.password).toBe(MASK_MARKER);
  });
});
