/**
 * Defaults of `countersign serve` that the CLI's help text names, kept apart from the command so that
 * parsing the command line does not load the service.
 */

/** The directory `--watch-rego` serves when given no directory. */
export const DEFAULT_REGO_DIR = "rego";
