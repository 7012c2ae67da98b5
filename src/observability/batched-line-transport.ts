/**
 * A winston transport that writes the lines logged during one turn of the event loop to a stream in one
 * write: standard output by default, where every `write` is a system call (Node writes to files and pipes
 * synchronously), and a busy service logs several lines per request.
 *
 * Lines keep their order and are written at the latest at the end of the current turn (`setImmediate`),
 * and at once when the process exits (`exit` runs for a normal end, `process.exit` and an uncaught
 * exception alike), so only a kill the process cannot see (SIGKILL, power loss) can lose them: the lines
 * of the last turn, as a lost write would have lost them anyway.
 */

import TransportStream from "winston-transport";

const MESSAGE = Symbol.for("message");

/** Where the transport writes. */
export interface LineSink {
  write(text: string): unknown;
}

/** Open transports, flushed by one `exit` listener (however many loggers a process makes). */
const open = new Set<BatchedLineTransport>();
const flushAll = (): void => {
  for (const t of open) t.flush();
};

/** The transport. */
export class BatchedLineTransport extends TransportStream {
  private lines: string[] = [];
  private scheduled = false;

  constructor(private readonly sink: LineSink = process.stdout) {
    super();
    if (open.size === 0) process.on("exit", flushAll);
    open.add(this);
  }

  /** winston's entry point: keeps the formatted line for this turn's write. */
  override log(info: unknown, next: () => void): void {
    this.lines.push((info as Record<symbol, string>)[MESSAGE] as string);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    next();
  }

  /** Writes the lines kept so far, if any. */
  flush(): void {
    this.scheduled = false;
    if (this.lines.length === 0) return;
    const text = this.lines.join("\n") + "\n";
    this.lines = [];
    this.sink.write(text);
  }

  /** winston calls this when the logger closes: write what is left and stop listening for exit. */
  override close(): void {
    this.flush();
    open.delete(this);
    if (open.size === 0) process.removeListener("exit", flushAll);
  }
}
