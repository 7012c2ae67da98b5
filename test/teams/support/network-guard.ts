/**
 * Test guard: the Teams suite must never reach beyond this machine. Any DNS lookup of a name other than
 * localhost, and any connection to a non-loopback IP address, fails at once and fails the test.
 *
 * Importing this module installs the guard for the test file (node's `dns` and `net` are shared by the
 * worker, so it is removed again after the file) and checks after every test that nothing tried.
 */

// `import x = require()` binds the modules themselves (not an interop copy), so the patches take effect.
import dns = require("node:dns");
import net = require("node:net");

const violations: string[] = [];

const LOOPBACK_NAMES = new Set(["localhost", "localhost.", "ip6-localhost"]);

/** True for names and addresses that stay on this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (LOOPBACK_NAMES.has(h)) return true;
  if (net.isIPv4(h)) return h.startsWith("127.");
  if (net.isIPv6(h)) return h === "::1" || h.startsWith("::ffff:127.");
  return false;
}

/** What tried to leave the machine since the last check, clearing the record (for the guard's own test). */
export function takeNetworkViolations(): string[] {
  return violations.splice(0);
}

const originalLookup = dns.lookup;
const originalPromisesLookup = dns.promises.lookup;
const originalConnect = net.Socket.prototype.connect;

function refused(host: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`network guard: lookup of "${host}" refused (tests stay on loopback)`);
  err.code = "ENOTFOUND";
  return err;
}

function guardedLookup(this: unknown, hostname: string, ...rest: unknown[]): void {
  if (!isLoopbackHost(hostname)) {
    violations.push(`dns.lookup ${hostname}`);
    const callback = rest[rest.length - 1] as (err: NodeJS.ErrnoException) => void;
    process.nextTick(() => callback(refused(hostname)));
    return;
  }
  (originalLookup as (...args: unknown[]) => void).call(this, hostname, ...rest);
}

async function guardedPromisesLookup(hostname: string, ...rest: unknown[]): Promise<unknown> {
  if (!isLoopbackHost(hostname)) {
    violations.push(`dns.promises.lookup ${hostname}`);
    throw refused(hostname);
  }
  return (originalPromisesLookup as (...args: unknown[]) => Promise<unknown>)(hostname, ...rest);
}

function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
  // net.createConnection passes its normalised [options, callback] array as the first argument.
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  const host =
    typeof first === "object" && first !== null
      ? (first as { host?: unknown; path?: unknown }).host
      : typeof first === "number" || typeof first === "string"
        ? args[1]
        : undefined;
  if (typeof host === "string" && net.isIP(host.replace(/^\[|\]$/g, "")) !== 0 && !isLoopbackHost(host)) {
    violations.push(`connect ${host}`);
    throw refused(host);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
}

(dns as { lookup: unknown }).lookup = guardedLookup;
(dns.promises as { lookup: unknown }).lookup = guardedPromisesLookup;
(net.Socket.prototype as { connect: unknown }).connect = guardedConnect;

afterEach(() => {
  const seen = violations.splice(0);
  expect(seen).toEqual([]);
});

afterAll(() => {
  (dns as { lookup: unknown }).lookup = originalLookup;
  (dns.promises as { lookup: unknown }).lookup = originalPromisesLookup;
  (net.Socket.prototype as { connect: unknown }).connect = originalConnect;
});
