/** graph.reachable and graph.reachable_paths, on one reused instance; their results are real sets. */

import { loadTestPolicy, type TestPolicy } from "./host-builtin-policy";

let p: TestPolicy;
let strict: TestPolicy;

const RULES = `
reachable := graph.reachable(input.graph, input.initial)
paths := graph.reachable_paths(input.graph, input.initial)
is_set if is_set(graph.reachable({"a": ["b"], "b": []}, ["a"]))
lookup if graph.reachable({"a": {"b"}, "b": set()}, {"a"})["b"]
`;

beforeAll(async () => {
  p = await loadTestPolicy(RULES, ["reachable", "paths", "is_set", "lookup"]);
  strict = await loadTestPolicy(RULES, ["reachable", "paths"], true);
});

const g = { a: ["b", "c"], b: ["d"], c: ["d"], d: [], e: ["f"], f: ["e"], x: ["x"] };

it.each([
  [
    ["b", "e"],
    ["b", "d", "e", "f"],
  ],
  [["a"], ["a", "b", "c", "d"]],
  [["x", "nope"], ["x"]],
  [[], []],
])("graph.reachable from %j", (initial, want) => {
  expect(p.value("reachable", { graph: g, initial })).toEqual(want);
});

it.each([
  [
    ["b", "e"],
    [
      ["b", "d"],
      ["e", "f"],
    ],
  ],
  [
    ["a"],
    [
      ["a", "b", "d"],
      ["a", "c", "d"],
    ],
  ],
  [["x"], [["x"]]],
  [["nope"], []],
])("graph.reachable_paths from %j", (initial, want) => {
  expect(p.value("paths", { graph: g, initial })).toEqual(want);
});

it("follows every path through shared ancestors and stops at unknown nodes", () => {
  const graph = { "1": [], "2": ["1"], "3": ["2"], "4": ["3", "2"], "5": ["4"] };
  expect(p.value("paths", { graph, initial: ["5"] })).toEqual([
    ["5", "4", "2", "1"],
    ["5", "4", "3", "2", "1"],
  ]);
  expect(p.value("paths", { graph: { a: ["b"], b: ["zzz"] }, initial: ["a", "b"] })).toEqual([["a", "b"], ["b"]]);
  expect(p.value("paths", { graph: { a: null }, initial: ["a"] })).toEqual([["a"]]);
});

it("returns sets", () => {
  expect(p.value("is_set")).toBe(true);
  expect(p.value("lookup")).toBe(true);
});

it("raises type errors for a graph that is no object or a start that is no collection", () => {
  expect(p.value("reachable", { graph: 1, initial: [] })).toBeUndefined();
  expect(() => strict.value("reachable", { graph: 1, initial: [] })).toThrow("graph.reachable: operand 1 must be object but got number");
  expect(() => strict.value("paths", { graph: {}, initial: "a" })).toThrow(
    "graph.reachable_paths: operand 2 must be one of {set, array} but got string",
  );
});
