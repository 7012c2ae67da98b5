/**
 * The bundle error catalogue: every way reading, building or writing a bundle can fail, by stable code.
 */

import { CodedError } from "../errors/coded-error";

/** Stable codes for bundle failures. */
export type BundleErrorCode =
  /** Not a gzip stream, or not a tar archive inside, or an unsafe entry path. */
  | "COUNTERSIGN_BUNDLE_CORRUPT"
  /** The archive has no `/.manifest`. */
  | "COUNTERSIGN_BUNDLE_NO_MANIFEST"
  /** The archive has no `policy.wasm` module. */
  | "COUNTERSIGN_BUNDLE_NO_WASM"
  /** A JSON or YAML file in the bundle (or given to the build) does not parse. */
  | "COUNTERSIGN_BUNDLE_BAD_JSON"
  /** The manifest parses but has the wrong shape or names a module that is not there. */
  | "COUNTERSIGN_BUNDLE_BAD_MANIFEST"
  /** Two data files put different values at the same path. */
  | "COUNTERSIGN_BUNDLE_DATA_CONFLICT"
  /** The archive expands beyond the size limit. */
  | "COUNTERSIGN_BUNDLE_TOO_LARGE"
  /** Two source files would land at the same bundle path. */
  | "COUNTERSIGN_BUNDLE_DUPLICATE_PATH"
  /** No entrypoint was given and none could be chosen. */
  | "COUNTERSIGN_BUNDLE_NO_ENTRYPOINT"
  /** A file or directory could not be read or written. */
  | "COUNTERSIGN_BUNDLE_IO"
  /** Verification is required and the bundle has no `/.signatures.json`. */
  | "COUNTERSIGN_BUNDLE_UNSIGNED"
  /**
   * The signature does not verify: bad JWS, unknown key, wrong key, scope mismatch, a file whose digest
   * differs, a file not covered by the signature or a signed file missing; or the bundle is signed and no
   * verification keys are configured.
   */
  | "COUNTERSIGN_BUNDLE_BAD_SIGNATURE"
  /** A signing or verification key that cannot be used (not PEM, empty secret, unknown algorithm). */
  | "COUNTERSIGN_BUNDLE_BAD_KEY";

/** A bundle failure with a stable code; `path` names the file concerned when there is one. */
export class BundleError extends CodedError<BundleErrorCode> {
  constructor(
    code: BundleErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(code, message);
  }
}

/** A short reason for a file-system error (`no such file or directory` rather than the whole errno text). */
export function describeIoError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return "no such file or directory";
  if (e.code === "EACCES") return "permission denied";
  if (e.code === "EISDIR") return "is a directory";
  if (e.code === "ENOTDIR") return "not a directory";
  return e.message;
}
