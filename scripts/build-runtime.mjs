// Builds the AssemblyScript runtime (src/wasm-runtime) into build/runtime.wasm.
//
// Usage: node scripts/build-runtime.mjs [--force] [--wat]
//
// The build is skipped when build/runtime.wasm was produced from the same sources, compiler version and
// options (a SHA-256 stamp next to it records them), so `npm run build` stays fast. asc's output depends on
// nothing else, so the same inputs give the same bytes.
//
// A transform adjusts two things asc does not expose as options:
// - asc treats a custom --runtime as a garbage-collected one and instruments the code with a shadow stack.
//   Our runtime never collects, and a shadow stack would leak a frame every time opa_abort unwinds through
//   it, so the transform turns the shadow stack off before compilation.
// - the policy hooks (cs_policy_*) must stay separate functions that the runtime calls, because the linker
//   replaces their bodies; the transform marks them no-inline before Binaryen optimises.

import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sourceDir = join(root, "src/wasm-runtime");
const outFile = join(root, "build/runtime.wasm");
const stampFile = outFile + ".sha256";

const args = [
  "src/wasm-runtime/index.ts",
  "--runtime",
  "src/wasm-runtime/rt/bump",
  "--use",
  "abort=src/wasm-runtime/abort/runtimeAbort",
  "--importMemory",
  "-O3",
  "--noAssert",
  "--outFile",
  relative(root, outFile),
];

/** Binaryen's internal names of the policy hooks (file path, then the function name). */
const HOOKS = "src/wasm-runtime/hooks/cs_policy_*";

/** The adjustments described in the header; asc instantiates it and provides `this.binaryen`. */
class RuntimeTransform {
  afterInitialize(program) {
    program.options.stackSize = 0;
    program.module.useShadowStack = false;
  }

  afterCompile(module) {
    this.binaryen.setPassArgument("no-inline", HOOKS);
    module.runPasses(["no-inline"]);
    this.binaryen.clearPassArguments();
  }
}

async function listSources(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listSources(path)));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}

/**
 * Warns when a builtins/ file defines cs_bi_* exports that builtin-registry.ts does not re-export (they would
 * be missing from the module). A warning rather than a failure, so that a file being written does not stop
 * everyone else's builds.
 */
async function checkRegistry(files) {
  const registry = await readFile(join(sourceDir, "builtin-registry.ts"), "utf8");
  const missing = [];
  for (const file of files) {
    const rel = relative(sourceDir, file).replace(/\\/g, "/");
    if (!rel.startsWith("builtins/")) continue;
    const text = await readFile(file, "utf8");
    if (!/export\s+function\s+cs_bi_/.test(text)) continue;
    const module = "./" + rel.replace(/\.ts$/, "");
    if (!registry.includes(`"${module}"`)) missing.push(module);
  }
  if (missing.length) {
    console.warn(
      `warning: builtin-registry.ts does not re-export ${missing.join(", ")}; their cs_bi_* functions ` +
        "will be missing from build/runtime.wasm",
    );
  }
}

/**
 * Warns about module exports outside the runtime's surface (OPA's ABI, cs_*, memory): `export *` in the
 * registry re-exports a builtins file's helpers too, and every export name is one the linker's generated
 * functions must avoid.
 */
async function checkExports(bytes) {
  const abi = new Set(["eval", "builtins", "entrypoints", "memory"]);
  const stray = WebAssembly.Module.exports(new WebAssembly.Module(bytes))
    .map((e) => e.name)
    .filter((name) => !abi.has(name) && !name.startsWith("opa_") && !name.startsWith("cs_"));
  if (stray.length) {
    console.warn(
      `warning: build/runtime.wasm exports helpers outside the runtime surface: ${stray.join(", ")} ` +
        "(re-exported by builtin-registry.ts; move them to a file the registry does not list)",
    );
  }
}

async function stampOf(files, wat) {
  const hash = createHash("sha256");
  hash.update(asc.version + "\0" + args.join(" ") + "\0" + (wat ? "wat" : "") + "\0");
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  for (const file of files) {
    hash.update(relative(root, file) + "\0");
    hash.update(await readFile(file));
  }
  return hash.digest("hex");
}

async function main() {
  const force = process.argv.includes("--force");
  const wat = process.argv.includes("--wat");
  const files = await listSources(sourceDir);
  await checkRegistry(files);
  const stamp = await stampOf(files, wat);
  if (!force) {
    const previous = await readFile(stampFile, "utf8").catch(() => "");
    const built = await readFile(outFile).then(
      () => true,
      () => false,
    );
    if (built && previous.trim() === stamp) {
      console.log("build/runtime.wasm is up to date");
      return;
    }
  }
  await mkdir(dirname(outFile), { recursive: true });
  const started = Date.now();
  const { error, stderr } = await asc.main(wat ? [...args, "--textFile", relative(root, outFile.replace(/\.wasm$/, ".wat"))] : args, {
    transforms: [RuntimeTransform],
    stdout: process.stdout,
    stderr: process.stderr,
    baseDir: root,
  });
  if (error) {
    console.error(stderr.toString());
    throw new Error(`asc failed: ${error.message}`);
  }
  await checkExports(await readFile(outFile));
  await writeFile(stampFile, stamp + "\n");
  console.log(`built build/runtime.wasm in ${Date.now() - started} ms`);
}

process.chdir(root);
main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
