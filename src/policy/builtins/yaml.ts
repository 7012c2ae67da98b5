/**
 * `yaml.is_valid` as OPA answers it: true when every document of the YAML stream parses (OPA rejects text
 * its parser could not reach after the first document), false for anything else, non-strings included.
 * The opa-wasm SDK has its own `yaml.is_valid`, which differs; the compiler routes calls here instead.
 */

import { parseAllDocuments } from "yaml";
import type { HostBuiltinFamily } from "./operands";

function yamlIsValid(text: unknown): boolean {
  if (typeof text !== "string") return false;
  // Go's YAML decoder, which OPA uses, accepts a mapping that repeats a key.
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.every((doc) => doc.errors.length === 0);
}

export const YAML_BUILTINS: HostBuiltinFamily = {
  "yaml.is_valid": yamlIsValid,
};
