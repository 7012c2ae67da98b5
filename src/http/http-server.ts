/**
 * The service's listening socket: the app served by Node's HTTP server on the configured host and port, the
 * URL it is reachable at, and the way it closes (idle keep-alive connections at once, busy ones when done
 * or at the deadline).
 */

import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ServiceStartError } from "../service/service-start-error";

/** A server listening for the app. */
export interface ListeningServer {
  /** `http://host:port` (a wildcard host shown as localhost). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and waits for the open ones, closing them all after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

/** Listens on `host:port` (port 0: any free port). Throws ServiceStartError when the address cannot be bound. */
export async function listenOn(app: RequestListener, host: string, port: number): Promise<ListeningServer> {
  let server: Server;
  try {
    server = await listen(app, port, host);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "EADDRINUSE" ? "the address is already in use" : e.code === "EACCES" ? "permission denied" : e.message;
    throw new ServiceStartError("COUNTERSIGN_LISTEN_FAILED", `cannot listen on ${host}:${port}: ${why}`);
  }
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return {
    url: `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${bound}`,
    port: bound,
    close: (graceMs) => closeServer(server, graceMs),
  };
}

function listen(app: RequestListener, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app).listen(port, host);
    server.once("listening", () => {
      server.off("error", reject);
      resolve(server);
    });
    server.once("error", reject);
  });
}

/** Closes the server: idle keep-alive connections at once, busy ones when done or at the deadline. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    deadline.unref();
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
