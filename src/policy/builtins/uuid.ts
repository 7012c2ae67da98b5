/**
 * `uuid.rfc4122` (a random version 4 UUID, the same one for the same argument throughout an evaluation) and
 * `uuid.parse` (a UUID's version, variant and, for versions 1 and 2, the fields encoded in it), as OPA has them.
 */

import { randomUUID } from "node:crypto";
import { rawJson, stringOperand, type EvaluationScopedFamily } from "./operands";

/** Parses a UUID in the forms Go's google/uuid accepts: plain, braced, `urn:uuid:`, or 32 hex digits. */
function uuidBytes(text: string): Uint8Array | null {
  let hex: string;
  if (text.length === 36) hex = text;
  else if (text.length === 38 && text.startsWith("{") && text.endsWith("}")) hex = text.slice(1, -1);
  else if (text.length === 45 && text.slice(0, 9).toLowerCase() === "urn:uuid:") hex = text.slice(9);
  else if (text.length === 32) return /^[0-9a-fA-F]{32}$/.test(text) ? Uint8Array.from(Buffer.from(text, "hex")) : null;
  else return null;
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(hex)) return null;
  return Uint8Array.from(Buffer.from(hex.replace(/-/g, ""), "hex"));
}

function variantName(b: number): string {
  if ((b & 0xc0) === 0x80) return "RFC4122";
  if ((b & 0xe0) === 0xc0) return "Microsoft";
  if ((b & 0xe0) === 0xe0) return "Future";
  return "Reserved";
}

function macVariables(b: number): string {
  return `${(b & 0b10) !== 0 ? "local" : "global"}:${(b & 0b01) !== 0 ? "multicast" : "unicast"}`;
}

function domainName(b: number): string {
  return b === 0 ? "Person" : b === 1 ? "Group" : b === 2 ? "Org" : `Domain${b}`;
}

/** 100-nanosecond intervals between the Gregorian reform (1582-10-15) and the Unix epoch. */
const GREGORIAN_TO_UNIX = 122192928000000000n;

/** The parsed fields as JSON text (the time, in Unix nanoseconds, can exceed 2^53). */
function parseUuid(text: string): ArrayBuffer | undefined {
  const u = uuidBytes(text);
  if (u === null) return undefined;
  const version = u[6]! >> 4;
  const fields: [string, string][] = [
    ["version", String(version)],
    ["variant", JSON.stringify(variantName(u[8]!))],
  ];
  if (version === 1 || version === 2) {
    const view = new DataView(u.buffer, u.byteOffset, u.byteLength);
    const ticks = BigInt(view.getUint32(0)) | (BigInt(view.getUint16(4)) << 32n) | (BigInt(view.getUint16(6) & 0x0fff) << 48n);
    const sinceEpoch = ticks - GREGORIAN_TO_UNIX;
    // Seconds truncated toward zero, then nanoseconds of the remainder, as Go computes it.
    const nanos = (sinceEpoch / 10_000_000n) * 1_000_000_000n + (sinceEpoch % 10_000_000n) * 100n;
    const node = Array.from(u.subarray(10), (b) => b.toString(16).padStart(2, "0")).join("-");
    fields.push(
      ["time", nanos.toString()],
      ["nodeid", JSON.stringify(node)],
      ["macvariables", JSON.stringify(macVariables(u[10]!))],
      ["clocksequence", String(((u[8]! & 0x3f) << 8) | u[9]!)],
    );
    if (version === 2) fields.push(["id", String(view.getUint32(0))], ["domain", JSON.stringify(domainName(u[9]!))]);
  }
  return rawJson(`{${fields.map(([k, v]) => `"${k}":${v}`).join(",")}}`);
}

/** The uuid builtins for one policy instance: uuid.rfc4122 remembers its answers until the next evaluation. */
export function createUuidBuiltins(): EvaluationScopedFamily {
  const issued = new Map<string, string>();
  return {
    functions: {
      "uuid.rfc4122": (operand) => {
        const key = stringOperand("uuid.rfc4122", 1, operand);
        let id = issued.get(key);
        if (id === undefined) {
          id = randomUUID();
          issued.set(key, id);
        }
        return id;
      },
      "uuid.parse": (operand) => {
        const text = stringOperand("uuid.parse", 1, operand);
        return parseUuid(text);
      },
    },
    // Clearing a Map allocates a new table even when empty; most evaluations never call the builtin.
    beginEvaluation: () => {
      if (issued.size > 0) issued.clear();
    },
  };
}
