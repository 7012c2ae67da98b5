/**
 * Readiness: the checks behind `GET /readyz`, each saying whether one dependency can serve now.
 */

/** The result of one check. */
export interface CheckResult {
  readonly ok: boolean;
  /** What was found, for people ("revision 3f2a…", "not configured", "connection refused"). */
  readonly detail: string;
}

/** One dependency to check. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<CheckResult>;
}

/** The results of all checks, by name. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, CheckResult>>;
}

/** Runs every check at once; a check that throws counts as failed. */
export async function checkReadiness(checks: readonly ReadinessCheck[]): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async (c): Promise<[string, CheckResult]> => {
      try {
        return [c.name, await c.check()];
      } catch (err) {
        return [c.name, { ok: false, detail: err instanceof Error ? err.message : String(err) }];
      }
    }),
  );
  return { ready: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
}
