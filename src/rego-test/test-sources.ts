/**
 * What a test run compiles: the policy modules and data `countersign build` would take from the same
 * paths, plus the `*_test.rego` files it leaves out.
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";
import { BundleError, describeIoError } from "../bundle/bundle-error";
import type { RegoVersion } from "../compiler/compile-options";
import { filesBelow, isRegoTestFile, loadSourceSet, regoVersionResolver, type SourceModule, type SourceSet } from "../bundle/source-set";

/** Policy sources and test modules. */
export interface TestSources {
  /** Policy modules and data, as for a build. */
  readonly policy: SourceSet;
  /** The `*_test.rego` modules. */
  readonly tests: readonly SourceModule[];
}

/**
 * Loads policy, data and test files under the paths, test modules read in the same Rego version as the
 * policy beside them. Throws BundleError on unreadable or bad files.
 */
export async function loadTestSources(paths: readonly string[], opts: { readonly regoVersion?: RegoVersion } = {}): Promise<TestSources> {
  const policy = await loadSourceSet(paths, opts);
  const tests: SourceModule[] = [];
  for (const arg of paths) {
    const stat = await fs.stat(arg);
    const versionOf = await regoVersionResolver(arg, stat.isDirectory(), opts.regoVersion ?? 1);
    if (stat.isDirectory()) {
      for (const rel of (await filesBelow(arg)).filter((f) => isRegoTestFile(path.basename(f)))) {
        const file = path.join(arg, rel);
        tests.push({ file, bundlePath: "/" + rel.split(path.sep).join("/"), text: await readText(file), regoVersion: versionOf(rel) });
      }
    } else if (isRegoTestFile(arg)) {
      tests.push({
        file: arg,
        bundlePath: "/" + path.basename(arg),
        text: await readText(arg),
        regoVersion: versionOf(path.basename(arg)),
      });
    }
  }
  return { policy, tests };
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_IO", `cannot read ${file}: ${describeIoError(err)}`, file);
  }
}
