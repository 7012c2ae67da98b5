/**
 * Lowering of a rule set: the function that computes the value of all the rules at one place of the rule
 * tree, by kind — a complete rule (one value, else chains, a default), a function (the same, per argument
 * list), a partial set, or a partial object (values placed at the rest of each rule's ref).
 *
 * Values are memoised per evaluation (functions excepted); two rules giving different values to one
 * complete rule or one function call are an `eval_conflict_error` at run time.
 */

import type { Body, Term } from "../ast";
import { checkDefaultValue } from "../check/default-value";
import type { Location } from "../diagnostics";
import type { Func } from "../ir";
import { type RuleSet, splitHeadRef } from "../rule-tree";
import { stripLoc } from "../term-compare";
import { isGround } from "../vars";
import { FunctionLowerer, type LoweringContext } from "./function-lowerer";
import { calleeMocks, mockKey, mockValueNames, type MockEnv } from "./mocks";

/** Lowers the function of one rule set by kind. */
export function lowerRuleSet(program: LoweringContext, set: RuleSet, name: string, mocks: MockEnv): Func {
  const first = set.rules[0] ?? set.defaultRule!;
  const mod = set.modules.get(first)!;
  const ownParams = set.kind === "function" ? 2 + set.arity : 2;
  const params = ownParams + mockValueNames(mocks).length;
  const fp = new FunctionLowerer(program, mod, name, `${set.kind} data.${set.path.join(".")}`, params, first.loc);
  fp.mocks = calleeMocks(mocks, ownParams);
  const memoId = program.memoId(set.id, mockKey(mocks));
  const loc = first.loc;
  const result = fp.newLocal();
  const isFunction = set.kind === "function";

  if (!isFunction) {
    fp.nested(loc, () => {
      fp.stmt({ kind: "memoGet", id: memoId, target: result, loc });
      fp.stmt({ kind: "isDefined", local: result, loc });
      fp.stmt({ kind: "return", source: result, loc });
    });
  }

  const valueOf = (t: Term | null, at: Location): Term => t ?? { kind: "boolean", value: true, loc: at };
  const plainRules = set.rules.filter((r) => r.else === null);
  const constValues = plainRules.map((r) => valueOf(r.head.value, r.loc));
  const earlyExit =
    set.rules.every((r) => r.else === null) &&
    constValues.length > 0 &&
    constValues.every((v) => isGround(v) && JSON.stringify(stripLoc(v)) === JSON.stringify(stripLoc(constValues[0])));
  const conflictText = isFunction
    ? `functions must not produce multiple outputs for same inputs: function data.${set.path.join(".")} produced conflicting values for the same inputs`
    : `complete rules must not produce multiple outputs: rule data.${set.path.join(".")} produced conflicting values`;

  switch (set.kind) {
    case "partialSet":
      fp.stmt({ kind: "makeSet", target: result, tree: true, loc });
      for (const rule of set.rules) {
        fp.nested(rule.loc, () =>
          fp.inScope(() => {
            fp.noteHead(rule);
            fp.planRuleBody(rule.loc, rule.body, () =>
              fp.planTerm(rule.head.key!, (v) => fp.stmt({ kind: "setAdd", collection: result, value: v, loc: rule.loc })),
            );
          }),
        );
      }
      break;
    case "partialObject":
      // Each rule places its value (or, with `contains`, adds to a set) at the rest of its ref below the prefix.
      fp.stmt({ kind: "makeObject", target: result, tree: true, loc });
      for (const rule of set.rules) {
        const { rest } = splitHeadRef(rule.head.ref);
        const element = rule.head.contains ? rule.head.key! : valueOf(rule.head.value, rule.loc);
        fp.nested(rule.loc, () =>
          fp.inScope(() => {
            fp.noteHead(rule);
            fp.planRuleBody(rule.loc, rule.body, () =>
              fp.planTerms([...rest, element], (ops) => {
                const value = ops[ops.length - 1];
                const message = fp.conflictMessage(rule.loc, "object keys must be unique");
                if (rest.length === 1 && !rule.head.contains) {
                  fp.stmt({ kind: "objectInsertLeaf", object: result, key: ops[0], value, message, loc: rule.loc });
                  return;
                }
                const path = fp.newLocal();
                fp.stmt({ kind: "makeArray", target: path, loc: rule.loc });
                for (const op of ops.slice(0, -1)) fp.stmt({ kind: "arrayAppend", collection: path, value: op, loc: rule.loc });
                const kind = rule.head.contains ? "objectAddToSetAt" : "objectInsertPath";
                fp.stmt({ kind, object: result, path, value, message, loc: rule.loc });
              }),
            );
          }),
        );
      }
      break;
    case "complete":
    case "function": {
      const defs = fp.newBlock();
      fp.inBlock(defs, () => {
        for (const rule of set.rules) {
          const message = fp.conflictMessage(rule.loc, conflictText);
          if (rule.else === null) {
            fp.nested(rule.loc, () =>
              fp.inScope(() => {
                fp.noteHead(rule);
                const run = () =>
                  fp.planRuleBody(rule.loc, rule.body, () =>
                    fp.planTerm(valueOf(rule.head.value, rule.loc), (v) => {
                      fp.stmt({ kind: "assignOnce", result, value: v, message, loc: rule.loc });
                      if (earlyExit) fp.stmt({ kind: "break", label: defs.label, loc: rule.loc });
                    }),
                  );
                if (isFunction) fp.bindArgs(rule.head.args!, run, rule.loc);
                else run();
              }),
            );
            continue;
          }
          // An else chain: the first clause with a solution gives the chain's value.
          const chainValue = fp.newLocal();
          fp.stmt({ kind: "reset", target: chainValue, loc: rule.loc });
          const chain = fp.newBlock();
          fp.inBlock(chain, () => {
            const clauses: { body: Body; value: Term; loc: Location }[] = [
              { body: rule.body, value: valueOf(rule.head.value, rule.loc), loc: rule.loc },
            ];
            for (let e = rule.else; e !== null; e = e.else) clauses.push({ body: e.body, value: valueOf(e.value, e.loc), loc: e.loc });
            for (const clause of clauses) {
              fp.nested(clause.loc, () =>
                fp.inScope(() => {
                  fp.noteHead(rule);
                  const run = () =>
                    fp.planRuleBody(clause.loc, clause.body, () =>
                      fp.planTerm(clause.value, (v) =>
                        fp.stmt({ kind: "assignOnce", result: chainValue, value: v, message, loc: clause.loc }),
                      ),
                    );
                  if (isFunction) fp.bindArgs(rule.head.args!, run, rule.loc);
                  else run();
                }),
              );
              // Every solution of the first clause that has one is checked for conflicts; later clauses are skipped.
              fp.nested(clause.loc, () => {
                fp.stmt({ kind: "isDefined", local: chainValue, loc: clause.loc });
                fp.stmt({ kind: "break", label: chain.label, loc: clause.loc });
              });
            }
          });
          fp.stmt({ kind: "block", block: chain, loc: rule.loc });
          fp.nested(rule.loc, () => {
            fp.stmt({ kind: "isDefined", local: chainValue, loc: rule.loc });
            fp.stmt({ kind: "assignOnce", result, value: fp.local(chainValue), message, loc: rule.loc });
          });
        }
      });
      fp.stmt({ kind: "block", block: defs, loc });
      const def = set.defaultRule;
      if (def !== null) {
        fp.nested(def.loc, () => {
          fp.stmt({ kind: "isUndefined", local: result, loc: def.loc });
          const v = valueOf(def.head.value, def.loc);
          if (!checkDefaultValue(set, v, def.loc, program.reporter)) return;
          fp.stmt({ kind: "assign", target: result, source: { kind: "const", id: fp.groundConst(v) }, loc: def.loc });
        });
      }
      break;
    }
  }
  if (!isFunction) fp.stmt({ kind: "memoPut", id: memoId, source: result, loc });
  fp.stmt({ kind: "return", source: result, loc });
  return fp.finish();
}
