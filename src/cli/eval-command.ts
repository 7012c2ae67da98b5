/**
 * `countersign eval`: evaluate an entrypoint of a bundle (or of sources compiled on the fly) against an
 * input, and print the SDK's result set as JSON.
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { COUNTERSIGN_METADATA_KEY, wasmModuleFor, type Bundle, type JsonObject } from "../bundle/bundle";
import { readBundleFile } from "../bundle/bundle-reader";
import { cloneJson, mergeDataAt } from "../bundle/data-tree";
import { readData } from "../bundle/source-set";
import { loadCompiledPolicy, RawJson, type CompiledPolicy } from "../policy/compiled-policy";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";
import { readBuiltinsModule, readCapabilitiesFile } from "./capabilities-file";
import { compileSources } from "./compile-step";

/** Options of `countersign eval`. */
export interface EvalCommandOptions {
  readonly entrypoint: string;
  /** A JSON or YAML file, or `-` for standard input. */
  readonly input?: string;
  /** A JSON or YAML file merged into the base document at its root. */
  readonly data?: string;
  /** Read sources compiled on the fly as Rego v0 (no effect on a bundle, which is already compiled). */
  readonly v0Compatible?: boolean;
  /** A capabilities file (OPA's JSON format) restricting and extending the built-ins. */
  readonly capabilities?: string;
  /** A JavaScript module implementing custom built-ins. */
  readonly builtins?: string;
}

/** True when the arguments name one bundle archive rather than sources. */
export function isBundlePath(paths: readonly string[]): boolean {
  return paths.length === 1 && /\.(tar\.gz|tgz)$/.test(paths[0]!);
}

/** Evaluates and prints the result set. */
export async function runEvalCommand(paths: readonly string[], opts: EvalCommandOptions, io: CliIo): Promise<void> {
  const { policy, input } = await loadForEvaluation(paths, opts, io);
  const results = policy.evaluate(opts.entrypoint, input);
  io.out(JSON.stringify(results, null, 2));
}

/** The policy serving the entrypoint (a bundle, or sources compiled on the fly) and the input, as `eval` and `bench` read them. */
export async function loadForEvaluation(
  paths: readonly string[],
  opts: EvalCommandOptions,
  io: CliIo,
): Promise<{ policy: CompiledPolicy; input: RawJson | undefined }> {
  const capabilities = opts.capabilities === undefined ? undefined : await readCapabilitiesFile(opts.capabilities);
  if (capabilities !== undefined && isBundlePath(paths)) {
    throw new CliError("COUNTERSIGN_CLI_USAGE", "--capabilities applies when compiling sources, not to a built bundle");
  }
  const custom = opts.builtins === undefined ? undefined : readBuiltinsModule(opts.builtins);
  const bundle: Bundle = isBundlePath(paths)
    ? await readBundleFile(paths[0]!)
    : await compileSources(
        {
          paths,
          entrypoints: [opts.entrypoint],
          ...(opts.v0Compatible === undefined ? {} : { v0Compatible: opts.v0Compatible }),
          ...(capabilities === undefined ? {} : { capabilities }),
        },
        io,
      );

  const module = wasmModuleFor(bundle, opts.entrypoint) ?? (bundle.wasmModules.length === 1 ? bundle.wasmModules[0] : undefined);
  if (module === undefined) {
    const known = bundle.manifest.wasm.map((w) => w.entrypoint).join(", ");
    throw new CliError("COUNTERSIGN_CLI_USAGE", `no module in the bundle serves '${opts.entrypoint}'; it has: ${known}`);
  }

  const data: JsonObject = cloneJson(bundle.data);
  if (opts.data !== undefined) mergeDataAt(data, [], await readData(opts.data), opts.data);

  const input = opts.input === undefined ? undefined : await readInput(opts.input, io);
  const meta = bundle.manifest.metadata?.[COUNTERSIGN_METADATA_KEY];
  const strict = typeof meta === "object" && meta !== null && !Array.isArray(meta) && meta["strict_builtin_errors"] === true;

  const policy = await loadCompiledPolicy(module.wasm, data, {
    strictBuiltinErrors: strict,
    ...(custom === undefined ? {} : { builtins: custom }),
  });
  return { policy, input };
}

/** Reads the input document; JSON is passed through as text so large integers stay exact. */
async function readInput(source: string, io: CliIo): Promise<RawJson> {
  let text: string;
  try {
    text = source === "-" ? await io.readStdin() : await fs.readFile(source, "utf8");
  } catch (err) {
    throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `cannot read input ${source}: ${(err as Error).message}`);
  }
  const where = source === "-" ? "standard input" : source;
  const ext = path.extname(source);
  if (ext === ".yaml" || ext === ".yml") {
    try {
      return new RawJson(JSON.stringify(YAML.parse(text) ?? null));
    } catch (err) {
      throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `input ${where} is not valid YAML: ${(err as Error).message}`);
    }
  }
  try {
    JSON.parse(text);
  } catch (err) {
    throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `input ${where} is not valid JSON: ${(err as Error).message}`);
  }
  return new RawJson(text);
}
