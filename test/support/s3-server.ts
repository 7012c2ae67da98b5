/**
 * A local S3-compatible server for tests: s3rver (in-process, on a loopback port, objects in a temporary
 * directory) with a bucket, and optionally a proxy in front of it that adds what s3rver lacks, conditional
 * writes: a PUT with `If-None-Match: *` on a key already written is answered 412, as AWS S3 and MinIO do.
 * Everything else is passed through unchanged (the SigV4 signature included, which s3rver checks).
 */

import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import S3rver from "s3rver";

/** Credentials s3rver accepts. */
export const S3_TEST_ENV = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1" } as const;

/** A running server. */
export interface TestS3Server {
  /** s3rver itself: ignores If-None-Match, so writes fall back to check-then-put. */
  readonly endpoint: string;
  /** The proxy honouring If-None-Match: *, so writes are conditional. */
  readonly conditionalEndpoint: string;
  readonly bucket: string;
  close(): Promise<void>;
}

/** Starts s3rver with `bucket` and the conditional-write proxy in front of it. */
export async function startS3Server(bucket = "audit"): Promise<TestS3Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-s3-"));
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const written = new Set<string>();
  const proxy = http.createServer((req, res) => {
    const key = (req.url ?? "").split("?")[0] as string;
    if (req.method === "PUT" && req.headers["if-none-match"] === "*" && written.has(key)) {
      req.resume();
      res.writeHead(412, { "content-type": "application/xml" });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>',
      );
      return;
    }
    const upstream = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      if (up.statusCode !== undefined && up.statusCode < 300) {
        if (req.method === "PUT") written.add(key);
        if (req.method === "DELETE") written.delete(key);
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    conditionalEndpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    bucket,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
