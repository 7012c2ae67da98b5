/**
 * The graph builtins: `graph.reachable` (the nodes reachable from a start set) and `graph.reachable_paths`
 * (the paths from each start node to where they end), over a graph given as an object of adjacency lists.
 */

import { typeError, type HostBuiltinFamily } from "./operands";
import { isObject, setResult } from "./values";

type Graph = Record<string, unknown>;

/** The neighbours of a node: its set or array of edges; anything else (null, a string) has none. */
function edgesOf(graph: Graph, node: unknown): unknown[] | undefined {
  if (typeof node !== "string" || !Object.prototype.hasOwnProperty.call(graph, node)) return undefined;
  const edges = graph[node];
  return Array.isArray(edges) ? edges : [];
}

function operands(builtin: string, graph: unknown, initial: unknown): { graph: Graph; initial: unknown[] } {
  if (!isObject(graph)) throw typeError(builtin, 1, graph, "object");
  if (!Array.isArray(initial)) throw typeError(builtin, 2, initial, "set", "array");
  return { graph, initial };
}

function reachable(graphOperand: unknown, initialOperand: unknown): unknown[] {
  const { graph, initial } = operands("graph.reachable", graphOperand, initialOperand);
  const reached = new Set<string>();
  const queue = [...initial];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    // Only nodes of the graph count as reached; a start node or neighbour outside it is ignored.
    const edges = edgesOf(graph, node);
    if (edges === undefined || reached.has(node as string)) continue;
    reached.add(node as string);
    for (const next of edges) if (typeof next !== "string" || !reached.has(next)) queue.push(next);
  }
  return setResult(reached);
}

function reachablePaths(graphOperand: unknown, initialOperand: unknown): unknown[] {
  const { graph, initial } = operands("graph.reachable_paths", graphOperand, initialOperand);
  const paths: unknown[][] = [];
  // Depth first; a path ends at a node without edges, at a neighbour outside the graph, or where it would
  // close a cycle (the neighbour is already on the path).
  const walk = (node: unknown, path: unknown[], onPath: Set<string>): void => {
    const edges = edgesOf(graph, node);
    if (edges === undefined) {
      if (path.length > 0) paths.push(path);
      return;
    }
    const here = [...path, node];
    if (edges.length === 0) {
      paths.push(here);
      return;
    }
    onPath.add(node as string);
    for (const next of edges) {
      if (typeof next === "string" && onPath.has(next)) paths.push(here);
      else walk(next, here, onPath);
    }
    onPath.delete(node as string);
  };
  for (const start of initial) walk(start, [], new Set());
  return setResult(paths);
}

export const GRAPH_BUILTINS: HostBuiltinFamily = {
  "graph.reachable": reachable,
  "graph.reachable_paths": reachablePaths,
};
