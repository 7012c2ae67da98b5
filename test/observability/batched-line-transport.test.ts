/**
 * The batched line transport: the lines logged in one turn of the event loop reach the stream in one
 * write, in order, and none is lost when the logger closes or the process exits.
 */

import * as winston from "winston";
import { BatchedLineTransport } from "../../src/observability/batched-line-transport";

function logger(writes: string[]): { log: winston.Logger; transport: BatchedLineTransport } {
  const transport = new BatchedLineTransport({ write: (text: string) => writes.push(text) });
  const log = winston.createLogger({ level: "info", format: winston.format.json(), transports: [transport] });
  return { log, transport };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("BatchedLineTransport", () => {
  it("writes the lines of one turn in one write, in order, at the end of the turn", async () => {
    const writes: string[] = [];
    const { log, transport } = logger(writes);
    log.info("one", { n: 1 });
    log.warn("two", { n: 2 });
    log.info("three", { n: 3 });
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toHaveLength(1);
    const lines = writes[0]!.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { n: 1, level: "info", message: "one" },
      { n: 2, level: "warn", message: "two" },
      { n: 3, level: "info", message: "three" },
    ]);
    transport.close();
  });

  it("starts a new write for the next turn, and writes nothing for a turn without lines", async () => {
    const writes: string[] = [];
    const { log, transport } = logger(writes);
    log.info("first");
    await nextTurn();
    await nextTurn();
    log.info("second");
    await nextTurn();
    expect(writes.map((w) => (JSON.parse(w) as { message: string }).message)).toEqual(["first", "second"]);
    transport.close();
  });

  it("writes what is pending when flushed (as on process exit) or closed, and stops listening for exit once closed", () => {
    const writes: string[] = [];
    const listenersBefore = process.listenerCount("exit");
    const { log, transport } = logger(writes);
    const other = logger([]);
    expect(process.listenerCount("exit")).toBe(listenersBefore + 1);
    other.transport.close();
    log.info("before exit");
    transport.flush();
    expect(writes).toEqual([JSON.stringify({ level: "info", message: "before exit" }) + "\n"]);
    log.info("before close");
    transport.close();
    expect(writes).toEqual([
      JSON.stringify({ level: "info", message: "before exit" }) + "\n",
      JSON.stringify({ level: "info", message: "before close" }) + "\n",
    ]);
    expect(process.listenerCount("exit")).toBe(listenersBefore);
  });

  it("writes a child process's pending lines when it exits", async () => {
    const { execFileSync } = await import("node:child_process");
    const out = execFileSync(
      process.execPath,
      [
        "-e",
        `const { BatchedLineTransport } = require(${JSON.stringify(require.resolve("../../dist/src/observability/batched-line-transport.js"))});
       const winston = require("winston");
       const log = winston.createLogger({ format: winston.format.json(), transports: [new BatchedLineTransport()] });
       log.info("last words");
       process.exit(0);`,
      ],
      { cwd: `${__dirname}/../..` },
    ).toString();
    expect(out).toBe(JSON.stringify({ level: "info", message: "last words" }) + "\n");
  });
});
