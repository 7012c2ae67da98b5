/**
 * The streams a command writes to and reads from, injected so commands can run inside tests.
 */

/** Output and input for one command run. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  readStdin(): Promise<string>;
  /** Standard input as a stream, for commands that read it a line at a time (any size, bounded memory). */
  stdinStream?(): NodeJS.ReadableStream;
}

/** The process's own streams. */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(line + "\n"),
  err: (line) => process.stderr.write(line + "\n"),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
  stdinStream: () => process.stdin,
};
