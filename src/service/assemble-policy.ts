/**
 * The live policy as the service runs it: the policy source (Rego sources compiled in memory with
 * `--watch-rego`, the bundle server of `bundles.remote`, or the bundle directory; bundles verified with
 * `bundles.verification` when configured), started and loaded, and the engine evaluating its decision bundle,
 * adapted to the interface the decide use case owns.
 */

import type { ServiceConfig } from "../config/service-config";
import type { Logger } from "../observability/logger";
import type { Clock } from "../policy/clock";
import { BundleDirectorySource } from "../engine/bundle-directory-source";
import { BundleServerSource } from "../engine/bundle-server-source";
import { PolicyEngine } from "../engine/policy-engine";
import type { PolicySource } from "../engine/policy-source";
import { RegoDirectorySource } from "../engine/rego-directory-source";
import type { DecisionPolicy } from "./decision-policy";
import { HIDDEN_TOOLS_ENTRYPOINT } from "./hidden-tools";
import { InputTexts } from "../engine/input-texts";

/** Entrypoints a Rego directory is compiled with besides the decision, when its sources define them. */
const OPTIONAL_ENTRYPOINTS = ["countersign/reviewer", HIDDEN_TOOLS_ENTRYPOINT];

/** Where the policy comes from besides the configuration, and what runs it. */
export interface PolicyDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  /** Watch the bundle directory (or Rego sources) for changes, or poll the bundle server. */
  readonly watch: boolean;
  /** `--watch-rego <dir>`: serve Rego sources compiled in memory, recompiled on save, instead of bundles. */
  readonly watchRegoDir?: string | undefined;
  /** The Rego version of `watchRegoDir` sources no `.manifest` speaks for. */
  readonly regoVersion?: 0 | 1 | undefined;
  /** Called with the source before its first load (to subscribe to its events). */
  readonly beforeStart?: (source: PolicySource) => void;
}

/** The started source, its engine, the decide use case's view of them, and how to stop watching. */
export interface AssembledPolicy {
  readonly source: PolicySource;
  readonly engine: PolicyEngine;
  readonly policy: DecisionPolicy;
  /** Each input's JSON text as the live evaluation wrote it, for the audit entry and a shadow candidate to reuse. */
  readonly inputTexts: InputTexts;
  close(): Promise<void>;
}

/** Builds the source, loads the policy (the first load is done when this resolves) and the engine on it. */
export async function assemblePolicy(config: ServiceConfig, deps: PolicyDeps): Promise<AssembledPolicy> {
  const source = policySourceOf(config, deps);
  deps.beforeStart?.(source);
  await source.start();
  // Each input's JSON text is written once: the audit entry embeds it, and with shadow mode on the candidate reads it.
  const inputTexts = new InputTexts();
  const engine = new PolicyEngine(source, { timeoutMs: config.policy.timeoutMs, logger: deps.logger, inputTexts });
  const policy = decisionPolicyOf(engine, source);
  return { source, engine, policy, inputTexts, close: () => source.close() };
}

/** Adapts the engine and its source to the interface the decide use case owns. */
export function decisionPolicyOf(engine: PolicyEngine, source: PolicySource): DecisionPolicy {
  return {
    decide: (input, decisionId) => engine.decide(input, { decision_id: decisionId }),
    status: () => {
      const s = source.status();
      const problem = s.ready
        ? s.lastFailure === null
          ? undefined
          : `last refused: ${s.lastFailure.file}: ${s.lastFailure.reason}`
        : s.lastFailure === null
          ? `no decision bundle ${s.decisionBundle} loaded from ${s.location}`
          : `no decision bundle loaded; last refused ${s.lastFailure.file}: ${s.lastFailure.reason}`;
      return {
        ready: s.ready,
        active: s.active === null ? [] : [{ bundle: s.active.bundle, revision: s.active.revision }],
        reloadFailures: s.reloadFailures,
        refusalsByCode: s.refusalsByCode,
        ...(problem === undefined ? {} : { problem }),
      };
    },
  };
}

/** The policy source the configuration (or `--watch-rego`) names. */
function policySourceOf(config: ServiceConfig, deps: PolicyDeps): PolicySource {
  const { logger, clock, watch } = deps;
  if (deps.watchRegoDir !== undefined) {
    return new RegoDirectorySource({
      dir: deps.watchRegoDir,
      logger,
      clock,
      watch,
      optionalEntrypoints: OPTIONAL_ENTRYPOINTS,
      ...(deps.regoVersion === undefined ? {} : { regoVersion: deps.regoVersion }),
    });
  }
  const verification = config.bundles.verification;
  if (verification === undefined && config.mode === "production") {
    logger.warn(
      "bundles: no bundles.verification keys configured, so bundle signatures are not checked; anyone who can write the bundles decides who is approved",
    );
  }
  if (config.bundles.remote !== undefined) {
    return new BundleServerSource({
      ...config.bundles.remote,
      decisionBundle: config.bundles.decision,
      logger,
      clock,
      poll: watch,
      ...(verification === undefined ? {} : { verification }),
    });
  }
  return new BundleDirectorySource({
    dir: config.bundles.dir,
    decisionBundle: config.bundles.decision,
    logger,
    clock,
    watch,
    ...(verification === undefined ? {} : { verification }),
  });
}
