/**
 * `semver.is_valid` and `semver.compare`: versions held to Semantic Versioning 2.0.0 exactly (no "v" prefix,
 * no leading zeros in numeric parts, no empty sections) and ordered by its precedence rules.
 */

import { HostBuiltinError } from "../policy-error";
import { stringOperand, type HostBuiltinFamily } from "./operands";

/** A parsed version; build metadata is checked but plays no part in precedence. */
interface Version {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly prerelease: readonly string[];
}

const NUMBER = "(?:0|[1-9][0-9]*)";
const PRERELEASE_ID = `(?:${NUMBER}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const BUILD_ID = "[0-9A-Za-z-]+";
const VERSION = new RegExp(
  `^(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})` +
    `(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?` +
    `(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`,
);

/** The version, or null when the string is not a SemVer 2.0.0 version. */
export function parseSemver(text: string): Version | null {
  const m = VERSION.exec(text);
  if (m === null) return null;
  return {
    major: BigInt(m[1]!),
    minor: BigInt(m[2]!),
    patch: BigInt(m[3]!),
    prerelease: m[4] === undefined ? [] : m[4].split("."),
  };
}

const sign = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const isNumeric = (id: string): boolean => /^[0-9]+$/.test(id);

function compareIdentifiers(a: string, b: string): number {
  const an = isNumeric(a);
  const bn = isNumeric(b);
  if (an && bn) return sign(BigInt(a), BigInt(b));
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** -1, 0 or 1 as a has lower, equal or higher precedence than b. */
export function compareSemver(a: Version, b: Version): number {
  const core = sign(a.major, b.major) || sign(a.minor, b.minor) || sign(a.patch, b.patch);
  if (core !== 0) return core;
  // A pre-release ranks below the release itself.
  if (a.prerelease.length === 0) return b.prerelease.length === 0 ? 0 : 1;
  if (b.prerelease.length === 0) return -1;
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const c = compareIdentifiers(a.prerelease[i]!, b.prerelease[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

function versionOperand(pos: number, text: string): Version {
  const v = parseSemver(text);
  if (v === null) {
    throw new HostBuiltinError(
      "eval_builtin_error",
      "semver.compare",
      `operand ${pos}: string ${JSON.stringify(text)} is not a valid SemVer`,
    );
  }
  return v;
}

/** The semver builtins by name. */
export const SEMVER_BUILTINS: HostBuiltinFamily = {
  "semver.is_valid": (operand) => typeof operand === "string" && parseSemver(operand) !== null,
  "semver.compare": (a, b) => {
    const textA = stringOperand("semver.compare", 1, a);
    const textB = stringOperand("semver.compare", 2, b);
    return compareSemver(versionOperand(1, textA), versionOperand(2, textB));
  },
};
