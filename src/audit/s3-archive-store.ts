/**
 * Sealed audit segments in S3-compatible object storage (AWS S3, MinIO, Ceph, R2, …): one object per segment
 * under a key prefix, written so that a segment is never replaced.
 *
 * Never replaced: a write is a conditional PUT (`If-None-Match: *`), which the server refuses with 412 when the
 * key exists. Not every S3-compatible server honours that header (some ignore it and overwrite), so the store
 * finds out once, by writing a small probe object twice with it (`<prefix>.countersign-conditional-write-probe`,
 * kept; nothing is ever deleted to probe): a server that refuses the second write honours it. On a server that
 * does not, a segment is written check-then-put (HEAD, then PUT when absent); that is safe because only the
 * instance holding the archiver's lease writes segments. Either way a segment already there is reported as
 * `SegmentExistsError` and left as it is.
 *
 * Credentials come from the AWS SDK's default chain: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
 * `AWS_SESSION_TOKEN` from the environment given (the service's or the CLI's), then the SDK's own sources
 * (shared config files, web identity, container or instance roles).
 */

import { createHash } from "node:crypto";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { isSegmentObjectName, SegmentExistsError, type AuditArchiveStore } from "./archive-store";

/** Where the segments go. */
export interface S3ArchiveLocation {
  readonly bucket: string;
  /** Key prefix, e.g. `countersign/audit/` (a `/` is added when missing; empty: the bucket's top level). */
  readonly prefix: string;
  /** The server's URL for S3-compatible servers (`https://minio.internal:9000`); absent: AWS. */
  readonly endpoint?: string;
  readonly region: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most self-hosted servers need. */
  readonly forcePathStyle?: boolean;
  /**
   * Whether the server honours `If-None-Match: *` on PUT: `auto` (default) finds out with a probe object;
   * `true` trusts it without probing; `false` always writes check-then-put.
   */
  readonly conditionalWrites?: boolean | "auto";
}

const PROBE = ".countersign-conditional-write-probe";

/** Segments as objects in one bucket, under one prefix. */
export class S3ArchiveStore implements AuditArchiveStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly prefix: string;
  private conditional: Promise<boolean> | null = null;

  constructor(
    private readonly where: S3ArchiveLocation,
    env: Readonly<Record<string, string | undefined>> = process.env,
  ) {
    this.prefix = where.prefix === "" || where.prefix.endsWith("/") ? where.prefix : `${where.prefix}/`;
    this.location = `s3://${where.bucket}/${this.prefix}`;
    const accessKeyId = env["AWS_ACCESS_KEY_ID"];
    const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
    const sessionToken = env["AWS_SESSION_TOKEN"];
    const config: S3ClientConfig = {
      region: where.region,
      ...(where.endpoint === undefined ? {} : { endpoint: where.endpoint }),
      forcePathStyle: where.forcePathStyle === true,
      // Checksums only where an operation needs one: S3-compatible servers differ in the newer checksum headers;
      // every segment is read back and verified after writing anyway, and carries a Content-MD5.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...(accessKeyId !== undefined && secretAccessKey !== undefined
        ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } }
        : {}),
    };
    this.client = new S3Client(config);
    if (where.conditionalWrites === true || where.conditionalWrites === false) this.conditional = Promise.resolve(where.conditionalWrites);
  }

  /** Whether writes are conditional on this server (probed once, see the file comment). */
  async conditionalWrites(): Promise<boolean> {
    this.conditional ??= this.probe().catch((err: unknown) => {
      this.conditional = null; // try again next time
      throw err;
    });
    return this.conditional;
  }

  async put(name: string, data: Buffer): Promise<void> {
    const key = this.prefix + name;
    const md5 = createHash("md5").update(data).digest("base64");
    if (await this.conditionalWrites()) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.where.bucket,
            Key: key,
            Body: data,
            ContentMD5: md5,
            ContentType: "application/gzip",
            IfNoneMatch: "*",
          }),
        );
      } catch (err) {
        // 412: the key exists. 409: a concurrent conditional write to the same key is in progress.
        if (statusOf(err) === 412 || statusOf(err) === 409)
          throw new SegmentExistsError(`${this.location}${name} exists already: a segment is never replaced`);
        throw err;
      }
      return;
    }
    if (await this.exists(key)) throw new SegmentExistsError(`${this.location}${name} exists already: a segment is never replaced`);
    await this.client.send(
      new PutObjectCommand({ Bucket: this.where.bucket, Key: key, Body: data, ContentMD5: md5, ContentType: "application/gzip" }),
    );
  }

  async get(name: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key: this.prefix + name }));
      if (out.Body === undefined) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.where.bucket,
          Prefix: this.prefix,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      for (const o of page.Contents ?? []) {
        const name = (o.Key ?? "").slice(this.prefix.length);
        if (!name.includes("/") && isSegmentObjectName(name)) names.push(name);
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return names.sort();
  }

  async remove(name: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.where.bucket, Key: this.prefix + name }));
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.where.bucket, Key: key }));
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  /** Writes the probe object twice with `If-None-Match: *`: a server that refuses either write honours the header. */
  private async probe(): Promise<boolean> {
    for (let i = 0; i < 2; i++) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.where.bucket,
            Key: this.prefix + PROBE,
            Body: Buffer.from("countersign\n"),
            IfNoneMatch: "*",
          }),
        );
      } catch (err) {
        if (statusOf(err) === 412 || statusOf(err) === 409) return true;
        throw err;
      }
    }
    return false;
  }
}

/** Parses `s3://bucket/prefix` (the prefix may be empty); null for anything else. */
export function parseS3Url(url: string): { readonly bucket: string; readonly prefix: string } | null {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  return m === null ? null : { bucket: m[1] as string, prefix: m[2] ?? "" };
}

function statusOf(err: unknown): number | undefined {
  const meta = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return meta?.httpStatusCode;
}
