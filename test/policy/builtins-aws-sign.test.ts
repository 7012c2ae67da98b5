/** providers.aws.sign_req on one reused instance, checked against an independent SigV4 computation. */

import { createHash, createHmac } from "node:crypto";
import { loadTestPolicy, type TestPolicy } from "./host-builtin-policy";

let p: TestPolicy;
let strict: TestPolicy;

const RULES = `
signed := providers.aws.sign_req(input.req, input.config, input.ns)
body_kept := providers.aws.sign_req({"method": "post", "url": "https://h.example/a", "body": {"s": {3, 1, 2}}}, input.config, 0).body == {"s": {1, 2, 3}}
`;

const CONFIG = {
  aws_access_key: "AKID",
  aws_secret_access_key: "SECRET",
  aws_service: "s3",
  aws_region: "eu-west-1",
};
const NS = 1451311705000000000;

beforeAll(async () => {
  p = await loadTestPolicy(RULES, ["signed", "body_kept"]);
  strict = await loadTestPolicy(RULES, ["signed"], true);
});

const sha = (s: string): string => createHash("sha256").update(s).digest("hex");
const mac = (k: string | Buffer, m: string): Buffer => createHmac("sha256", k).update(m).digest();

/** The signature AWS's documented algorithm gives for the canonical request. */
function expectedSignature(canonical: string, secret: string, region: string, service: string): string {
  const scope = `20151228/${region}/${service}/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n20151228T140825Z\n${scope}\n${sha(canonical)}`;
  let key = mac(`AWS4${secret}`, "20151228");
  for (const part of [region, service, "aws4_request"]) key = mac(key, part);
  return mac(key, toSign).toString("hex");
}

it("signs a request with a path, query, headers and raw body, repeatedly on one instance", () => {
  const req = {
    method: "PUT",
    url: "https://bucket.example.com:8443/a%20b/c?x=1&y=2",
    headers: { "X-Custom": "v", "User-Agent": "ua" },
    raw_body: "hello",
  };
  const canonical = [
    "PUT",
    "/a%20b/c",
    "x=1&y=2",
    "host:bucket.example.com:8443",
    `x-amz-content-sha256:${sha("hello")}`,
    "x-amz-date:20151228T140825Z",
    "x-custom:v",
    "",
    "host;x-amz-content-sha256;x-amz-date;x-custom",
    sha("hello"),
  ].join("\n");
  const sig = expectedSignature(canonical, "SECRET", "eu-west-1", "s3");
  for (let i = 0; i < 3; i++) {
    expect(p.value("signed", { req, config: CONFIG, ns: NS })).toEqual({
      ...req,
      headers: {
        "X-Custom": "v",
        "User-Agent": "ua",
        Authorization: `AWS4-HMAC-SHA256 Credential=AKID/20151228/eu-west-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-custom,Signature=${sig}`,
        host: "bucket.example.com:8443",
        "x-amz-content-sha256": sha("hello"),
        "x-amz-date": "20151228T140825Z",
      },
    });
  }
});

it("leaves out x-amz-content-sha256 for services other than s3 and glacier, and adds a session token", () => {
  const config = { ...CONFIG, aws_service: "execute-api", aws_session_token: "TOKEN" };
  const out = p.value("signed", { req: { method: "GET", url: "https://api.example.com" }, config, ns: NS }) as {
    headers: Record<string, string>;
  };
  const canonical = [
    "GET",
    "",
    "",
    "host:api.example.com",
    "x-amz-date:20151228T140825Z",
    "x-amz-security-token:TOKEN",
    "",
    "host;x-amz-date;x-amz-security-token",
    sha(""),
  ].join("\n");
  expect(Object.keys(out.headers).sort()).toEqual(["Authorization", "host", "x-amz-date", "x-amz-security-token"]);
  expect(out.headers["Authorization"]).toContain(`Signature=${expectedSignature(canonical, "SECRET", "eu-west-1", "execute-api")}`);
});

it("keeps the request's sets as sets in its result", () => {
  expect(p.value("body_kept", { config: CONFIG })).toBe(true);
});

it("raises OPA's errors for bad operands", () => {
  const req = { method: "GET", url: "https://x.example" };
  expect(p.value("signed", { req, config: { aws_access_key: "a" }, ns: NS })).toBeUndefined();
  expect(() => strict.value("signed", { req, config: { aws_access_key: "a" }, ns: NS })).toThrow(
    'providers.aws.sign_req: operand 2 missing required AWS config parameters(s): {"aws_region", "aws_secret_access_key", "aws_service"}',
  );
  expect(() => strict.value("signed", { req, config: { ...CONFIG, aws_region: 1 }, ns: NS })).toThrow(
    'operand 2 invalid values for required AWS config parameters(s): {"aws_region"}',
  );
  expect(() => strict.value("signed", { req: { ...req, bogus: 1 }, config: CONFIG, ns: NS })).toThrow(
    'operand 1 invalid request parameters(s): {"bogus"}',
  );
  expect(() => strict.value("signed", { req: { url: "u" }, config: CONFIG, ns: NS })).toThrow(
    'operand 1 missing required request parameters(s): {"method"}',
  );
  expect(() => strict.value("signed", { req, config: { ...CONFIG, disable_payload_signing: "yes" }, ns: NS })).toThrow(
    "operand 2 invalid value for 'disable_payload_signing' in AWS config",
  );
  expect(() => strict.value("signed", { req, config: CONFIG, ns: 1.5 })).toThrow(
    "operand 3 could not convert time_ns value into a unix timestamp",
  );
  expect(() => strict.value("signed", { req: { ...req, url: "https://x/%zz" }, config: CONFIG, ns: NS })).toThrow(
    'invalid URL escape "%zz"',
  );
});
