// ESLint for Countersign's TypeScript and scripts (src/, test/, scripts/): `make lint` runs it, and so does
// `make test`. The AssemblyScript runtime (src/wasm-runtime) is another language (decorators, `usize`,
// `load<T>`): its own compiler checks it, and the formatter formats it, but these rules do not apply.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const NODE_GLOBALS = Object.fromEntries(
  [
    "process",
    "console",
    "Buffer",
    "URL",
    "URLSearchParams",
    "TextEncoder",
    "TextDecoder",
    "fetch",
    "AbortController",
    "AbortSignal",
    "WebAssembly",
    "queueMicrotask",
    "structuredClone",
    "setTimeout",
    "clearTimeout",
    "setInterval",
    "clearInterval",
    "setImmediate",
    "clearImmediate",
  ].map((name) => [name, "readonly"]),
);
const COMMONJS_GLOBALS = { require: "readonly", module: "writable", exports: "writable", __dirname: "readonly", __filename: "readonly" };

export default tseslint.config(
  { ignores: ["dist/**", "build/**", "node_modules/**", "src/wasm-runtime/**", "coverage/**", "**/*.d.ts", ".countersign/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: NODE_GLOBALS },
    rules: {
      // `_name` marks a binding kept on purpose (a positional parameter, a member split off with a rest pattern)
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // scrubbing invisible and control characters out of untrusted text is the point of those patterns
      "no-control-regex": "off",
      // it reports loop-carried values (a cursor assigned in one iteration and read by the next) as unused
      "no-useless-assignment": "off",
    },
  },
  {
    // the TypeScript compiler already reports undefined names, knowing the types eslint does not see
    files: ["**/*.ts"],
    rules: { "no-undef": "off" },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: COMMONJS_GLOBALS },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // the console's escaper lists bidi and zero-width characters one by one in a class, on purpose
    files: ["src/console/html.ts"],
    rules: { "no-misleading-character-class": "off" },
  },
  {
    // tests read untyped JSON from the wire, pin exactly the numbers that lose precision as doubles, and load
    // modules afresh or unwrapped (jest.isolateModules, `import x = require()`) to patch or re-run them
    files: ["test/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "no-loss-of-precision": "off", "@typescript-eslint/no-require-imports": "off" },
  },
);
