/**
 * Readers for the fields of a capability's own config section (`teams:`, `slack:`): each reports a bad
 * field through the section's own typed error, given as `fail`.
 */

/** The readers of one section. */
export interface SectionFields {
  /** A list of non-empty strings (trimmed); [] when absent. */
  stringList(file: Record<string, unknown>, key: string): string[];
  /** A string, trimmed; undefined when absent or blank. `prefix` names where `key` sits (default: the section). */
  optionalString(file: Record<string, unknown>, key: string, prefix?: string): string | undefined;
  /** A mapping, or a failure naming `field`. */
  record(value: unknown, field: string): Record<string, unknown>;
}

/** The readers for `section`, failing through `fail(field, problem)`. */
export function sectionFields(section: string, fail: (field: string, problem: string) => never): SectionFields {
  return {
    stringList(file, key) {
      const value = file[key];
      if (value === undefined || value === null) return [];
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v.trim() === ""))
        fail(`${section}.${key}`, "must be a list of non-empty strings");
      return (value as string[]).map((v) => v.trim());
    },
    optionalString(file, key, prefix = section) {
      const value = file[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== "string") fail(`${prefix}.${key}`, "must be a string");
      return nonEmpty(value);
    },
    record(value, field) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) fail(field, "must be a mapping");
      return value as Record<string, unknown>;
    },
  };
}

/** The string trimmed, or undefined when absent or blank. */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}
