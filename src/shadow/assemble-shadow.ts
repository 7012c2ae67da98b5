/**
 * Shadow mode as the service runs it (`bundles.shadow`): the named bundle of the bundle directory evaluated
 * on every decision after its answer, under the same time budget, its disagreements recorded in the trail
 * and counted in metrics. Its evaluation failures are counted, not logged as the live policy's are (they
 * answer nobody). Sources compiled with `--watch-rego` have no candidate bundle, so it is off there.
 */

import type { Registry } from "prom-client";
import type { ServiceConfig } from "../config/service-config";
import { silentLogger } from "../engine/engine-logger";
import { PolicyEngine } from "../engine/policy-engine";
import type { PolicySource } from "../engine/policy-source";
import type { Logger } from "../observability/logger";
import type { Clock } from "../policy/clock";
import { registerShadowMetrics } from "./shadow-metrics";
import { ShadowRunner, type DisagreementRecorder } from "./shadow-runner";
import type { InputTexts } from "../engine/input-texts";

/** What shadow mode runs on besides the configuration and the live policy's source. */
export interface ShadowDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  /** Where disagreements are recorded (the trail; absent without Redis: they are then only counted). */
  readonly recorder: DisagreementRecorder | undefined;
  readonly registry: Registry;
  /** `--watch-rego <dir>`, when the live policy is compiled from sources. */
  readonly watchRegoDir?: string | undefined;
  /** The live evaluation's input texts, which the candidate reuses rather than serialising each input again. */
  readonly inputTexts?: InputTexts | undefined;
}

/** The runner, when `bundles.shadow` is configured and the source serves bundles; `close()` it on shutdown. */
export function assembleShadow(config: ServiceConfig, source: PolicySource, deps: ShadowDeps): ShadowRunner | undefined {
  const name = config.bundles.shadow;
  if (name === undefined) return undefined;
  const lookup = source.bundle?.bind(source);
  if (deps.watchRegoDir !== undefined || lookup === undefined) {
    deps.logger.warn(
      `bundles.shadow (${name}) is ignored: shadow mode reads its candidate from the bundle directory, not from --watch-rego sources`,
    );
    return undefined;
  }
  const { inputTexts } = deps;
  const engine = new PolicyEngine(
    { active: () => lookup(name) },
    { timeoutMs: config.policy.timeoutMs, logger: silentLogger, ...(inputTexts === undefined ? {} : { inputTexts }) },
  );
  // the metrics read the queue only when scraped, once the runner below exists
  const listener = registerShadowMetrics(deps.registry, () => runner.queueLength());
  const runner = new ShadowRunner({
    candidate: {
      name,
      loaded: () => lookup(name) !== null,
      decide: (input, decisionId) => engine.decide(input, { decision_id: decisionId }),
    },
    ...(deps.recorder === undefined ? {} : { recorder: deps.recorder }),
    listener,
    logger: deps.logger,
    now: () => new Date(Number(deps.clock.nowNs() / 1_000_000n)),
  });
  deps.logger.info(`shadow mode: bundle ${name} is evaluated beside ${config.bundles.decision} on every decision (never answering)`, {
    shadow: name,
    loaded: lookup(name) !== null,
  });
  return runner;
}
