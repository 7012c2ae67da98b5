/**
 * A fresh temporary directory per test, removed after it, with a helper to write files into it (parents
 * created): the fixture of tests that build source trees on disk.
 */

import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";

/** The current test's directory and a writer into it. */
export interface TempTree {
  /** The directory of the running test. */
  readonly dir: string;
  /** Writes `text` at `rel` under the directory, creating parents; returns the file's path. */
  write(rel: string, text: string): Promise<string>;
}

/** Registers beforeEach/afterEach hooks that give every test of the file its own directory. */
export function useTempTree(prefix: string): TempTree {
  let dir = "";
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    async write(rel: string, text: string): Promise<string> {
      const file = path.join(dir, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
      return file;
    },
  };
}
