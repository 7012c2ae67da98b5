/**
 * `countersign build`: compile Rego sources and data into an OPA bundle (`.tar.gz` with `/policy.wasm`),
 * signed as `opa build --signing-key` signs it when a signing key is given.
 */

import { promises as fs } from "node:fs";
import type { JsonObject } from "../bundle/bundle";
import { BundleError, describeIoError } from "../bundle/bundle-error";
import { DEFAULT_SIGNING_ALGORITHM, isHmac, isSigningAlgorithm, SIGNING_ALGORITHMS, signingKeyFrom } from "../bundle/bundle-keys";
import { writeBundleFile } from "../bundle/bundle-writer";
import { readCapabilitiesFile } from "./capabilities-file";
import type { CliIo } from "./cli-io";
import { CliError } from "./cli-error";
import { compileSources } from "./compile-step";

/** The key id written into signatures unless `--signing-key-id` says otherwise (`opa build`'s default). */
export const DEFAULT_SIGNING_KEY_ID = "default";

/** Options of `countersign build`. */
export interface BuildCommandOptions {
  readonly entrypoint: readonly string[];
  readonly output: string;
  readonly revision?: string;
  readonly strictBuiltinErrors?: boolean;
  /** Read the sources as Rego v0 (the manifest then says `rego_version: 0`). */
  readonly v0Compatible?: boolean;
  /** A capabilities file (OPA's JSON format) restricting and extending the built-ins. */
  readonly capabilities?: string;
  /** A PEM private key file, or for HS* the shared secret itself (as `opa build --signing-key`). */
  readonly signingKey?: string;
  readonly signingAlg?: string;
  readonly signingKeyId?: string;
  /** A JSON file of extra claims (`scope`, `iss`, `iat`, …). */
  readonly claimsFile?: string;
}

/** Builds and writes the bundle (signed when a key is given); nothing is written when compilation fails. */
export async function runBuildCommand(paths: readonly string[], opts: BuildCommandOptions, io: CliIo): Promise<void> {
  const capabilities = opts.capabilities === undefined ? undefined : await readCapabilitiesFile(opts.capabilities);
  const signing = await signingOptions(opts);
  let bundle = await compileSources(
    {
      paths,
      entrypoints: opts.entrypoint,
      ...(opts.revision === undefined ? {} : { revision: opts.revision }),
      ...(opts.strictBuiltinErrors === undefined ? {} : { strictBuiltinErrors: opts.strictBuiltinErrors }),
      ...(opts.v0Compatible === undefined ? {} : { v0Compatible: opts.v0Compatible }),
      ...(capabilities === undefined ? {} : { capabilities }),
    },
    io,
  );
  if (signing !== undefined) {
    // jose and yaml load only when a bundle is signed
    const { signBundle } = await import("../bundle/bundle-signing");
    bundle = await signBundle(bundle, signing);
  }
  await writeBundleFile(opts.output, bundle);
  const entrypoints = bundle.manifest.wasm.map((w) => w.entrypoint).join(", ");
  const signed = signing === undefined ? "" : `; signed ${signing.algorithm}, key id ${signing.keyId}`;
  io.err(`wrote ${opts.output} (revision ${bundle.manifest.revision}; entrypoints: ${entrypoints}${signed})`);
}

async function signingOptions(opts: BuildCommandOptions) {
  if (opts.signingKey === undefined) {
    if (opts.signingAlg !== undefined || opts.claimsFile !== undefined || opts.signingKeyId !== undefined) {
      throw new CliError("COUNTERSIGN_CLI_USAGE", "--signing-alg, --signing-key-id and --claims-file need --signing-key");
    }
    return undefined;
  }
  const alg = opts.signingAlg ?? DEFAULT_SIGNING_ALGORITHM;
  if (!isSigningAlgorithm(alg)) {
    throw new CliError("COUNTERSIGN_CLI_USAGE", `--signing-alg ${alg} is not supported; use one of ${SIGNING_ALGORITHMS.join(", ")}`);
  }
  // As with opa build: for HS* the flag is the secret; otherwise it names a PEM file.
  const keyText = isHmac(alg) ? opts.signingKey : await readText(opts.signingKey, "--signing-key");
  const key = signingKeyFrom(keyText, alg, isHmac(alg) ? "--signing-key" : opts.signingKey);
  let claims: JsonObject | undefined;
  if (opts.claimsFile !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readText(opts.claimsFile, "--claims-file"));
    } catch (err) {
      if (err instanceof BundleError) throw err;
      throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `${opts.claimsFile}: not JSON (${(err as Error).message})`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `${opts.claimsFile}: the claims must be a JSON object`);
    }
    claims = parsed as JsonObject;
  }
  return { key, algorithm: alg, keyId: opts.signingKeyId ?? DEFAULT_SIGNING_KEY_ID, ...(claims === undefined ? {} : { claims }) };
}

async function readText(file: string, flag: string): Promise<string> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_IO", `${flag}: cannot read ${file}: ${describeIoError(err)}`, file);
  }
}
