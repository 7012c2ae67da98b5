/**
 * The message digests `crypto.md5`, `crypto.sha1` and `crypto.sha256`: the hex digest of a string's UTF-8
 * bytes, as OPA computes them.
 */

import { createHash } from "node:crypto";
import { stringOperand, type HostBuiltinFamily } from "./operands";

function digest(builtin: string, algorithm: string): (operand: unknown) => string {
  return (operand) =>
    createHash(algorithm)
      .update(stringOperand(builtin, 1, operand), "utf8")
      .digest("hex");
}

export const DIGEST_BUILTINS: HostBuiltinFamily = {
  "crypto.md5": digest("crypto.md5", "md5"),
  "crypto.sha1": digest("crypto.sha1", "sha1"),
  "crypto.sha256": digest("crypto.sha256", "sha256"),
};
