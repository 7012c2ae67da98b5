/**
 * The configuration error catalogue: every reason the service refuses to start over its configuration.
 */

import { CodedError } from "../errors/coded-error";

/** Stable codes for configuration failures. */
export type ConfigErrorCode =
  /** The configuration file cannot be read. */
  | "COUNTERSIGN_CONFIG_UNREADABLE"
  /** The file is neither valid YAML nor valid JSON. */
  | "COUNTERSIGN_CONFIG_SYNTAX"
  /** A setting is missing, misspelt, of the wrong type, or contradicts another. */
  | "COUNTERSIGN_CONFIG_INVALID"
  /** NODE_ENV=production (or `mode: production`) with a published development API key configured. */
  | "COUNTERSIGN_CONFIG_DEVELOPMENT_KEY_IN_PRODUCTION";

/** A configuration the service will not start with; `field` names the offending setting when there is one. */
export class ConfigError extends CodedError<ConfigErrorCode> {
  constructor(
    code: ConfigErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(code, message);
  }
}
