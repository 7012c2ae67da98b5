// dependency-cruiser rules: the shape of the code that `make lint` (and so `make test`) holds the build to.
// The layering is ../shared/STYLE.md's "one folder per stage or capability, data flowing one way": a folder
// imports only folders of its own or an earlier layer (types included), and config/ and observability/ sit
// below every capability. test/lint/lint-checks.test.ts proves each rule can fail.

/** The folders under src/ from the foundation up; a folder may import only its own layer or earlier ones. */
const LAYERS = [
  // foundation: the error base, formats, the compiler and its runtime, identities, logging and metrics, Redis
  ["errors", "json", "policy", "compiler", "wasm-runtime", "identity", "observability", "redis", "bundle"],
  // typed settings, read once at start-up
  ["config"],
  // the policy engine, then the decide use case
  ["engine"],
  ["service"],
  // the approval workflow and what it hands out
  ["approvals", "grants", "callbacks"],
  // notifiers
  ["teams", "slack"],
  // what reads decisions after the answer: shadow evaluation, then the audit trail and its readers
  ["shadow"],
  ["audit"],
  ["replay", "rego-test", "conformance"],
  // transports and the SDK
  ["http", "console", "mcp", "client"],
  // the composition root, then the command line that starts it
  ["main.ts"],
  ["cli"],
];

/** The compiler's stages in order (src/compiler/<stage>.ts or <stage>/); a stage never imports a later one. */
const COMPILER_STAGES = ["lexer", "parser", "rule-tree", "check", "lower", "planner", "wasm", "compile"];

const folder = (name) => (name.endsWith(".ts") ? `^src/${name.replace(".", "\\.")}$` : `^src/${name}/`);
const stage = (name) => `^src/compiler/${name}(\\.ts$|/)`;

const layerRules = LAYERS.flatMap((layer, i) => {
  const later = LAYERS.slice(i + 1).flat();
  if (later.length === 0) return [];
  return [
    {
      name: `layer-${i}-imports-later-layer`,
      comment: `${layer.join(", ")} may not import a later layer (${later.join(", ")}): data flows one way`,
      severity: "error",
      from: { path: layer.map(folder) },
      to: { path: later.map(folder) },
    },
  ];
});

const stageRules = COMPILER_STAGES.slice(0, -1).map((name, i) => ({
  name: `compiler-${name}-imports-later-stage`,
  comment: `the compiler's ${name} stage may not import a later stage (${COMPILER_STAGES.slice(i + 1).join(", ")})`,
  severity: "error",
  from: { path: stage(name) },
  to: { path: COMPILER_STAGES.slice(i + 1).map(stage) },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "an import cycle: two modules that each need the other are one concept or need a seam",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-orphans",
      comment: "a module nothing imports is dead code (entry points excepted)",
      severity: "error",
      from: {
        orphan: true,
        pathNot: ["\\.d\\.ts$", "^src/cli/main\\.ts$", "^src/client/index\\.ts$", "^src/wasm-runtime/index\\.ts$", "^src/wasm-runtime/rt/"],
      },
      to: {},
    },
    {
      name: "no-unreachable",
      comment: "a module the command line, the client SDK and the wasm runtime never load is dead code",
      severity: "error",
      from: { path: ["^src/cli/main\\.ts$", "^src/client/index\\.ts$", "^src/wasm-runtime/index\\.ts$"] },
      to: {
        path: "^src/",
        pathNot: [
          "\\.d\\.ts$",
          "\\.mjs$",
          "^src/wasm-runtime/rt/",
          // the entry points themselves, and the IR printer tests and debugging sessions use
          "^src/cli/main\\.ts$",
          "^src/client/index\\.ts$",
          "^src/wasm-runtime/index\\.ts$",
          "^src/compiler/ir-printer\\.ts$",
        ],
        reachable: false,
      },
    },
    {
      name: "compiler-shared-imports-stage",
      comment: "the compiler's shared data modules (ast, ir, diagnostics, the built-in catalogue…) import no stage",
      severity: "error",
      from: { path: "^src/compiler/[^/]+\\.ts$", pathNot: COMPILER_STAGES.map(stage) },
      to: { path: COMPILER_STAGES.map(stage) },
    },
    {
      name: "wasm-runtime-apart",
      comment: "the AssemblyScript runtime is built on its own; host code reaches it only through build/runtime.wasm",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/wasm-runtime/" },
      to: { path: "^src/wasm-runtime/" },
    },
    ...layerRules,
    ...stageRules,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|build|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    // AssemblyScript's standard library (`util/number`) is not a file here
    reporterOptions: { text: { highlightFocused: true } },
  },
};
