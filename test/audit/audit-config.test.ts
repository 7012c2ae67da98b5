import Ajv2020 from "ajv/dist/2020";
import { AUDIT_CONFIG_FILE_SCHEMA, DEVELOPMENT_MASK_SALT, resolveAuditSettings } from "../../src/audit/audit-config";

const noFile = (): string => {
  throw new Error("no such file");
};

describe("audit settings", () => {
  it("default to the development salt and the countersign:audit stream in development", () => {
    const s = resolveAuditSettings(undefined, { mode: "development", env: {}, readFile: noFile });
    expect(s).toEqual({
      stream: "countersign:audit",
      maskSalt: Buffer.from(DEVELOPMENT_MASK_SALT),
      maxBatch: 256,
      appendTimeoutMs: 5000,
      checkpointIntervalMs: 0,
      compress: true,
      sinks: [],
    });
  });

  it("take the salt and signing key from the environment first", () => {
    const s = resolveAuditSettings(
      { mask_salt: "file-salt-0123456789", signing_key_file: "/nowhere", mirror_file: "/var/log/countersign/audit.jsonl" },
      {
        mode: "production",
        env: { COUNTERSIGN_AUDIT_MASK_SALT: "env-salt-0123456789abc", COUNTERSIGN_AUDIT_SIGNING_KEY: "PEM" },
        readFile: noFile,
      },
    );
    expect(s.maskSalt.toString()).toBe("env-salt-0123456789abc");
    expect(s.signingKeyPem).toBe("PEM");
    expect(s.mirrorFile).toBe("/var/log/countersign/audit.jsonl");
  });

  it("read the signing key file", () => {
    const s = resolveAuditSettings(
      { mask_salt: "file-salt-0123456789", signing_key_file: "/k.pem" },
      { mode: "production", env: {}, readFile: (p) => `key from ${p}` },
    );
    expect(s.signingKeyPem).toBe("key from /k.pem");
  });

  it.each([
    [undefined, "production", /production needs audit.mask_salt/],
    [{ mask_salt: DEVELOPMENT_MASK_SALT }, "production", /development mask salt is refused/],
    [{ mask_salt: "short" }, "development", /at least 16 bytes/],
    [{ stream: "bad name" }, "development", /stream name/],
    [{ max_batch: 0 }, "development", /max_batch/],
    [{ signing_key_file: "/missing.pem" }, "development", /cannot read audit.signing_key_file/],
  ] as const)("refuse %j in %s", (file, mode, message) => {
    expect(() => resolveAuditSettings(file, { mode, env: {}, readFile: noFile })).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^COUNTERSIGN_AUDIT_BAD_(CONFIG)$/), message: expect.stringMatching(message) }),
    );
  });
});

describe("audit section schema", () => {
  const validate = new Ajv2020({ allErrors: true }).compile(AUDIT_CONFIG_FILE_SCHEMA);

  it("accepts every documented setting", () => {
    expect(
      validate({
        stream: "countersign:audit",
        mask_salt: "0123456789abcdef",
        signing_key_file: "k.pem",
        mirror_file: "audit.jsonl",
        max_batch: 64,
        append_timeout_ms: 2000,
      }),
    ).toBe(true);
  });

  it.each([{ strem: "x" }, { stream: "a b" }, { mask_salt: "short" }, { max_batch: 0 }, { append_timeout_ms: 1.5 }])(
    "refuses %j",
    (section) => {
      expect(validate(section)).toBe(false);
    },
  );
});

describe("audit.archive", () => {
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(AUDIT_CONFIG_FILE_SCHEMA);
  const resolve = (archive: unknown, env: Record<string, string> = {}) =>
    resolveAuditSettings({ archive } as Parameters<typeof resolveAuditSettings>[0], { mode: "development", env, readFile: noFile }).archive;

  it("a directory, with the defaults", () => {
    expect(resolve({ dir: "/var/lib/audit" })).toEqual({
      target: { kind: "dir", dir: "/var/lib/audit" },
      segmentEntries: 100_000,
      intervalMs: 30_000,
    });
  });

  it("an S3-compatible bucket, sealing by age and keeping segments for a set time", () => {
    const a = {
      s3: { bucket: "audit-archive", prefix: "prod/", endpoint: "http://minio:9000", force_path_style: true },
      segment_entries: 10_000,
      segment_max_age_seconds: 3600,
      retention_days: 2555,
    };
    expect(validate({ archive: a })).toBe(true);
    expect(resolve(a, { AWS_REGION: "eu-west-1" })).toEqual({
      target: {
        kind: "s3",
        bucket: "audit-archive",
        prefix: "prod/",
        region: "eu-west-1",
        endpoint: "http://minio:9000",
        forcePathStyle: true,
        conditionalWrites: "auto",
      },
      segmentEntries: 10_000,
      segmentMaxAgeMs: 3_600_000,
      intervalMs: 30_000,
      retentionMs: 2555 * 86_400_000,
    });
  });

  it.each([
    [{ dir: "/a", s3: { bucket: "audit-archive" } }, /exactly one of dir/],
    [{ segment_entries: 1000 }, /exactly one of dir/],
    [{ dir: "/a", retention_days: 0 }, /retention_days must be a positive whole number/],
  ])("refuses %j", (archive, message) => {
    expect(() => resolve(archive)).toThrow(
      expect.objectContaining({ code: "COUNTERSIGN_AUDIT_BAD_CONFIG", message: expect.stringMatching(message) }),
    );
  });

  it.each([
    { s3: { bucket: "Bad_Bucket" } },
    { s3: { prefix: "x" } },
    { dir: "/a", retention_days: 0 },
    { dir: "/a", s3: { bucket: "ok-bucket", endpoint: "minio:9000" } },
  ])("the schema refuses %j", (archive) => {
    expect(validate({ archive })).toBe(false);
  });
});
