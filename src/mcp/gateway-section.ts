/**
 * Reading the `gateway:` section of a configuration file, checked against its schema: what both
 * `countersign mcp-gateway` and, for the in-process gateway, `countersign serve` read.
 */

import * as fs from "node:fs";
import Ajv2020 from "ajv/dist/2020";
import { parse as parseYaml } from "yaml";
import { GATEWAY_CONFIG_FILE_SCHEMA, type GatewayConfigFile } from "./gateway-config";
import { GatewayError } from "./gateway-error";

/** The `gateway:` section of a configuration file (YAML or JSON), or undefined when it has none. */
export function readGatewaySection(file: string): GatewayConfigFile | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new GatewayError("COUNTERSIGN_GATEWAY_CONFIG_INVALID", `${file}: ${(err as Error).message}`);
  }
  const section = typeof doc === "object" && doc !== null ? (doc as { gateway?: unknown }).gateway : undefined;
  if (section === undefined || section === null) return undefined;
  const validate = new Ajv2020({ allErrors: false, strict: false }).compile(GATEWAY_CONFIG_FILE_SCHEMA);
  if (!validate(section)) {
    const e = validate.errors?.[0];
    throw new GatewayError(
      "COUNTERSIGN_GATEWAY_CONFIG_INVALID",
      `${file}: gateway${e?.instancePath.replace(/\//g, ".") ?? ""} ${e?.message ?? "is invalid"}`,
    );
  }
  return section as GatewayConfigFile;
}
