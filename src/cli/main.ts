#!/usr/bin/env node
/**
 * The `countersign` command line: build bundles, evaluate policies, run Rego unit tests and conformance
 * cases, serve decisions, export and verify the audit trail.
 *
 * The composition root for the CLI: parses arguments with commander, calls one command, and turns any
 * failure into a one-line message and exit code 1.
 */

import { Command, InvalidArgumentError, Option } from "commander";
import { DECISION_ENTRYPOINT } from "../bundle/bundle-build";
import { ConfigError } from "../config/config-error";
import { GatewayError } from "../mcp/gateway-error";
import { RegoTestError } from "../rego-test/rego-test-error";
import { ServiceStartError } from "../service/service-start-error";
import type { AuditCommandOptions } from "./audit-command";
import { AUDIT_SUBCOMMANDS } from "./audit-subcommands";
import { CliError, describeCliFailure, EXIT_FAILURE } from "./cli-error";
import { processIo, type CliIo } from "./cli-io";
import { DEFAULT_REGO_DIR } from "./serve-defaults";

/** What `--v0-compatible` does, on every command that compiles Rego. */
const V0_COMPATIBLE_HELP =
  "read modules as Rego v0 (p { ... }, p[x] { ... }, if/contains/in/every only when imported from future.keywords), " +
  "as OPA's --v0-compatible does; a module importing rego.v1, or a directory's .manifest rego_version / file_rego_versions, says otherwise";

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a positive whole number");
  return n;
};

const portNumber = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError("must be a port number (0-65535)");
  return n;
};

/** What a run leaves behind besides its output: the exit code a command chose (audit verify: 1 on a finding). */
export interface ProgramResult {
  exitCode: number;
}

const CAPABILITIES_HELP =
  "capabilities file (OPA's JSON format): only the built-ins it lists may be called; those it declares that " +
  "Countersign does not implement are custom built-ins the host must implement";
const BUILTINS_HELP = 'JavaScript module exporting custom built-in implementations by name ({ "acme.lookup": (x) => ... })';

/** The program, with actions wired to the given streams. */
export function createProgram(io: CliIo, result: ProgramResult = { exitCode: 0 }): Command {
  const program = new Command()
    .name("countersign")
    .description("Policy-as-code approval gate: compile Rego to WebAssembly, build OPA bundles, evaluate them.")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, "")), writeErr: (s) => io.err(s.replace(/\n$/, "")) });

  program
    .command("build")
    .description(
      "Compile .rego files and .json/.yaml data (files or directories, walked recursively) into an OPA bundle. " +
        "*_test.rego files and hidden entries are left out. Data files are merged at their directory's path " +
        "below the directory argument; a data file named directly is merged at the root.",
    )
    .argument("<paths...>", "policy and data files or directories")
    .option(
      "-e, --entrypoint <pkg/rule>",
      `entrypoint to compile (repeatable); default: ${DECISION_ENTRYPOINT} when the sources define it, else required`,
      collect,
    )
    .option("-o, --output <file>", "bundle to write (atomically)", "bundle.tar.gz")
    .option("--revision <revision>", "manifest revision (default: a hash of the bundle's contents)")
    .option("--strict-builtin-errors", "raise builtin errors instead of treating them as undefined")
    .option("--v0-compatible", V0_COMPATIBLE_HELP)
    .option("--capabilities <file>", CAPABILITIES_HELP)
    .option(
      "--signing-key <key>",
      "sign the bundle (.signatures.json, as opa build): a PEM private key file, or the secret for HS256/384/512",
    )
    .option("--signing-alg <alg>", "signing algorithm: RS256 (default), RS384/512, PS256/384/512, ES256/384/512, EdDSA, HS256/384/512")
    .option("--signing-key-id <id>", "key id written into the signature (kid; default: default); verifiers choose their key by it")
    .option("--claims-file <file>", "JSON file of extra signature claims (scope, iss, iat, ...)")
    .action(
      async (
        paths: string[],
        opts: {
          entrypoint?: string[];
          output: string;
          revision?: string;
          strictBuiltinErrors?: boolean;
          signingKey?: string;
          signingAlg?: string;
          signingKeyId?: string;
          claimsFile?: string;
          v0Compatible?: boolean;
          capabilities?: string;
        },
      ) => {
        const { runBuildCommand } = await import("./build-command");
        await runBuildCommand(paths, { ...opts, entrypoint: opts.entrypoint ?? [] }, io);
      },
    );

  program
    .command("eval")
    .description("Evaluate an entrypoint of a bundle, or of sources compiled on the fly, and print the result set as JSON.")
    .argument("<bundle-or-paths...>", "one .tar.gz/.tgz bundle, or policy and data files or directories")
    .requiredOption("-e, --entrypoint <pkg/rule>", "entrypoint to evaluate (pkg/rule or data.pkg.rule)")
    .option("-i, --input <file>", "input document: a JSON or YAML file, or - for standard input (JSON)")
    .option("-d, --data <file>", "extra JSON or YAML data merged into the base document at its root")
    .option("--v0-compatible", `${V0_COMPATIBLE_HELP} (sources only; a bundle is compiled already)`)
    .option("--capabilities <file>", CAPABILITIES_HELP)
    .option("--builtins <module.js>", BUILTINS_HELP)
    .action(
      async (
        paths: string[],
        opts: { entrypoint: string; input?: string; data?: string; v0Compatible?: boolean; capabilities?: string; builtins?: string },
      ) => {
        const { runEvalCommand } = await import("./eval-command");
        await runEvalCommand(paths, opts, io);
      },
    );

  program
    .command("bench")
    .description(
      "Benchmark an entrypoint, as opa bench does: load the policy once, evaluate it on the input over and over, and print " +
        "samples, ns/op and µs/op, the median, p90 and p99, and wasm heap bytes per evaluation.",
    )
    .argument("<bundle-or-paths...>", "one .tar.gz/.tgz bundle, or policy and data files or directories")
    .requiredOption("-e, --entrypoint <pkg/rule>", "entrypoint to evaluate (pkg/rule or data.pkg.rule)")
    .option("-i, --input <file>", "input document: a JSON or YAML file, or - for standard input (JSON)")
    .option("-d, --data <file>", "extra JSON or YAML data merged into the base document at its root")
    .option("--benchtime <t>", "how long to run (1s, 500ms, 2m) or how many evaluations (1000x); default 1s")
    .addOption(new Option("--count <n>", "run the benchmark n times").argParser(positiveInt))
    .addOption(new Option("-f, --format <format>", "pretty (a table) or json").choices(["pretty", "json"]).default("pretty"))
    .option("--v0-compatible", `${V0_COMPATIBLE_HELP} (sources only)`)
    .option("--capabilities <file>", CAPABILITIES_HELP)
    .option("--builtins <module.js>", BUILTINS_HELP)
    .action(
      async (
        paths: string[],
        opts: {
          entrypoint: string;
          input?: string;
          data?: string;
          benchtime?: string;
          count?: number;
          format?: "pretty" | "json";
          v0Compatible?: boolean;
          capabilities?: string;
          builtins?: string;
        },
      ) => {
        const { runBenchCommand } = await import("./bench-command");
        await runBenchCommand(paths, opts, io);
      },
    );

  program
    .command("conformance")
    .description(
      "Run every YAML test case under a directory (OPA's conformance format). Prints one FAIL line per failing " +
        "case and finally `conformance: N passed, M failed, K skipped`. Exits 0 when the run completes.",
    )
    .argument("<dir>", "directory of .yaml/.yml case files")
    .option("--json <file>", "also write a JSON report")
    .option("--filter <text>", "only cases whose note or file path contains the text")
    .addOption(new Option("--timeout <ms>", "time limit per case").argParser(positiveInt).default(20000))
    .addOption(new Option("-j, --jobs <n>", "worker threads (default: cores, at most 8)").argParser(positiveInt))
    .option("-v, --verbose", "also print SKIP lines")
    .option("--reuse", "evaluate every case twice on one policy instance, as the service does; both answers must pass")
    .action(
      async (
        dir: string,
        opts: { json?: string; filter?: string; timeout?: number; jobs?: number; verbose?: boolean; reuse?: boolean },
      ) => {
        const { runConformanceCommand } = await import("./conformance-command");
        await runConformanceCommand(dir, opts, io);
      },
    );

  program
    .command("test")
    .description(
      "Run Rego unit tests: every test_ rule in the policy and *_test.rego files (directories walked recursively, " +
        ".json/.yaml data merged as for build), as `opa test` does. Exit 1 when a test fails or none is found.",
    )
    .argument("<paths...>", "policy, test and data files or directories")
    .option("-v, --verbose", "also show where passing tests are, and what was compiled")
    .option("-r, --run <regex>", "only tests whose name (data.pkg.test_x) matches")
    .option("--v0-compatible", V0_COMPATIBLE_HELP)
    .option("--capabilities <file>", CAPABILITIES_HELP)
    .option("--builtins <module.js>", BUILTINS_HELP)
    .option(
      "-c, --coverage",
      "print a coverage report (OPA's JSON shape: covered and not covered rows per file, with per-rule figures); test results go to stderr",
    )
    .addOption(
      new Option("--threshold <percent>", "with --coverage: exit 1 when the total coverage is below this").argParser((v: string) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError("must be a percentage (0-100)");
        return n;
      }),
    )
    .action(
      async (
        paths: string[],
        opts: {
          verbose?: boolean;
          run?: string;
          v0Compatible?: boolean;
          capabilities?: string;
          builtins?: string;
          coverage?: boolean;
          threshold?: number;
        },
      ) => {
        const { runTestCommand } = await import("./test-command");
        await runTestCommand(paths, opts, io);
      },
    );

  program
    .command("capabilities")
    .description(
      "Print the built-in functions a policy may call, with their types, and the language features, in OPA's " +
        "capabilities JSON format (for tools such as Regal).",
    )
    .option("--refused", "instead, list OPA's built-ins that Countersign refuses at compile time, with the reason")
    .action(async (opts: { refused?: boolean }) => {
      const { runCapabilitiesCommand } = await import("./capabilities-command");
      runCapabilitiesCommand(opts, io);
    });

  program
    .command("serve")
    .description(
      "Run the decision service (POST /v1/decide). Configuration from --config or COUNTERSIGN_CONFIG, else the example " +
        "development configuration; PORT, REDIS_URL and NODE_ENV override it. Bundles in the bundle directory are " +
        "hot-reloaded. Stops gracefully on SIGTERM or SIGINT.",
    )
    .addOption(new Option("-p, --port <port>", "port to listen on (default: PORT, then server.port, then 8181)").argParser(portNumber))
    .option("-c, --config <file>", "configuration file (YAML or JSON)")
    .option("-b, --bundles <dir>", "bundle directory (default: bundles.dir, then bundles/)")
    .option(
      "-w, --watch-rego [dir]",
      `serve the Rego sources in dir (default ${DEFAULT_REGO_DIR}/) compiled in memory, recompiling on save, instead of bundles`,
    )
    .option("--v0-compatible", `${V0_COMPATIBLE_HELP} (for --watch-rego; bundles are compiled already)`)
    .action(async (opts: { port?: number; config?: string; bundles?: string; watchRego?: string | boolean; v0Compatible?: boolean }) => {
      if (opts.v0Compatible === true && (opts.watchRego === undefined || opts.watchRego === false)) {
        throw new CliError(
          "COUNTERSIGN_CLI_USAGE",
          "--v0-compatible applies to the Rego sources of --watch-rego; bundles are compiled already",
        );
      }
      // Loaded on use: the service's modules (the Teams bot among them) take seconds to load, and no other
      // command needs them.
      const { runServeCommand } = await import("./serve-command");
      await runServeCommand(opts, io);
    });

  program
    .command("mcp-gateway")
    .description(
      "An MCP proxy that makes every tools/call a Countersign decision: allowed calls are forwarded, denied ones return a " +
        "tool error, and calls that need approval are held until a person decides, then run once with exactly the approved " +
        "arguments. Speaks MCP to the agent over stdio (default) or Streamable HTTP (--listen), and to each upstream MCP server " +
        "over stdio or Streamable HTTP. Settings from the `gateway:` section of --config (or COUNTERSIGN_CONFIG), flags win.",
    )
    .option("--countersign <url>", "the Countersign service, e.g. http://127.0.0.1:8181")
    .option("--api-key-env <VAR>", "the environment variable holding the gateway's Countersign API key (stdio)")
    .option("--actor <id>", "the agent identity decisions name as actor.id (stdio), e.g. agent:coder")
    .option("--on-behalf-of <id>", "the human the agent works for, e.g. user:dana")
    .option("--upstream <NAME=target>", 'an upstream MCP server: NAME=stdio:"COMMAND ARGS…" or NAME=http(s)://… (repeatable)', collect)
    .addOption(
      new Option(
        "--listen <port>",
        "serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio; agents authenticate with their Countersign API key or JWT",
      ).argParser(portNumber),
    )
    .option("--host <host>", "address to listen on with --listen (default 127.0.0.1)")
    .option("--environment <env>", "resource.environment of every tool call (e.g. production)")
    .addOption(new Option("--call-timeout-ms <ms>", "the longest an upstream call may take (default 60000)").argParser(positiveInt))
    .addOption(
      new Option("--max-argument-bytes <n>", "larger tool arguments are refused before any decision (default 32768)").argParser(
        positiveInt,
      ),
    )
    .option("-c, --config <file>", "configuration file with a gateway: section (YAML or JSON)")
    .action(async (opts: Record<string, unknown>) => {
      const { runMcpGatewayCommand } = await import("./mcp-gateway-command");
      await runMcpGatewayCommand(opts, io);
    });

  program
    .command("audit")
    .description(
      "The audit trail. `audit export [--from X] [--to Y] [--redis URL] [--stream NAME] > trail.jsonl` writes the entries in order, " +
        "then the signed head (X, Y: seqs or RFC 3339 times). `audit verify <trail.jsonl | -> [--key K]...` or " +
        "`audit verify --redis URL [--key K]...` prints `ok: N entries, head <hash>` or the first bad seq and what is wrong, exit 1; " +
        "a trail must start at seq 1 unless its signed export range says it is partial (or --partial accepts it), and --pin checks " +
        "that a head seen earlier is still there. `audit head` prints the current signed head to pin. " +
        "`audit key [--redis URL]` prints the public key auditors pin; `audit digest <json> [--salt-file F]` the masked form of a value. " +
        "`audit view <digest | approval-id> [trail.jsonl | -]` (or with --redis / --archive) prints back what a verdict's reviewer was shown " +
        "and checks it hashes to the recorded digest, exit 1 when not. " +
        "With audit.archive, `--archive DIR|s3://bucket/prefix` makes verify and export read the sealed segments, then the stream. " +
        "The Redis URL defaults to REDIS_URL.",
    )
    .argument("<subcommand>", AUDIT_SUBCOMMANDS.join(" | "))
    .argument(
      "[args...]",
      "verify: the trail file (- for standard input); digest: the JSON value; view: the digest or approval id, then optionally the trail file",
    )
    .option("--from <seq-or-time>", "export: first entry (a seq or an RFC 3339 time)")
    .option("--to <seq-or-time>", "export: last entry (a seq or an RFC 3339 time)")
    .option("--redis <url>", "the Redis holding the trail (default REDIS_URL)")
    .option("--stream <name>", "the trail's stream (default countersign:audit)")
    .option("-k, --key <key>", "verify: a public key (PEM or JWK file, or base64url); repeatable across a key rotation", collect)
    .option("--salt-file <file>", "digest: a file holding the mask salt (default COUNTERSIGN_AUDIT_MASK_SALT)")
    .option("--partial", "verify: accept a trail that starts after seq 1 without a signed range (its start taken on trust)")
    .option(
      "--archive <dir-or-s3-url>",
      "verify, export, view: the archive of sealed segments (audit.archive: a directory, or s3://bucket/prefix), read first, then the Redis stream with --redis",
    )
    .option(
      "--s3-endpoint <url>",
      "an S3-compatible server for an s3:// archive (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)",
    )
    .option("--s3-region <region>", "the s3:// archive's region (default AWS_REGION, else us-east-1)")
    .option("--s3-path-style", "path-style URLs for an s3:// archive (most self-hosted servers)")
    .option("--pin <head>", "verify: a head seen earlier (SEQ:HASH, or a file from `audit head`); the trail must still hold it")
    .option("--signing-key <file>", "export: the audit signing key (PEM), to sign the export's range; default the key generated in Redis")
    .action(async (subcommand: string, args: string[], opts: AuditCommandOptions) => {
      const { runAuditCommand } = await import("./audit-command");
      result.exitCode = await runAuditCommand(subcommand, args, opts, io);
    });

  program
    .command("replay")
    .description(
      "Evaluate the recorded decisions of the audit trail again on a candidate bundle and print what would change " +
        "(recorded → candidate outcome, count, example decision ids). Decisions whose masked values (held in the trail only as " +
        "digests) a candidate rule may read are reported as not replayable. The trail is read from Redis (--redis, default " +
        "REDIS_URL), the archive then Redis (--archive with a Redis), or the archive alone.",
    )
    .requiredOption("-b, --bundle <file>", "the candidate bundle (.tar.gz)")
    .option("--from <seq-or-time>", "first decision (a seq or an RFC 3339 time)")
    .option("--to <seq-or-time>", "last decision (a seq or an RFC 3339 time)")
    .option("--redis <url>", "the Redis holding the trail (default REDIS_URL)")
    .option("--stream <name>", "the trail's stream (default countersign:audit)")
    .option("--archive <dir-or-s3-url>", "the archive of sealed segments, read first (alone without a Redis)")
    .option("--s3-endpoint <url>", "an S3-compatible server for an s3:// archive")
    .option("--s3-region <region>", "the s3:// archive's region (default AWS_REGION, else us-east-1)")
    .option("--s3-path-style", "path-style URLs for an s3:// archive")
    .addOption(new Option("--timeout-ms <ms>", "the candidate's evaluation budget per decision (default 1000)").argParser(positiveInt))
    .option("--json", "print the report as JSON instead of a table")
    .action(
      async (opts: {
        bundle: string;
        from?: string;
        to?: string;
        redis?: string;
        stream?: string;
        archive?: string;
        s3Endpoint?: string;
        s3Region?: string;
        s3PathStyle?: boolean;
        timeoutMs?: number;
        json?: boolean;
      }) => {
        const { runReplayCommand } = await import("./replay-command");
        result.exitCode = await runReplayCommand(opts, io);
      },
    );

  return program;
}

/** One line for a failure: service start-up failures and test runs show their code; the rest as other commands do. */
function describeFailure(err: unknown): string {
  if (err instanceof ConfigError || err instanceof ServiceStartError || err instanceof RegoTestError || err instanceof GatewayError)
    return `error: ${err.message} [${err.code}]`;
  return describeCliFailure(err);
}

/** Runs the CLI with the given arguments (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const result: ProgramResult = { exitCode: 0 };
  const program = createProgram(io, result);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return result.exitCode;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("commander.")) {
      // commander has printed its own message (or the help text) and chosen the exit code.
      return (err as { exitCode?: number }).exitCode ?? EXIT_FAILURE;
    }
    io.err(describeFailure(err));
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
