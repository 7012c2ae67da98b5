/**
 * The variable bindings of one body, chained to the enclosing body's: which names are bound (to what, for the
 * lowering stage) and which are declared local (`some x`, `:=`, function arguments).
 *
 * The checks read it to decide safety and name resolution (a declared name shadows a rule or an import);
 * lowering stores the operand each variable is bound to.
 */

/** Bindings of one body; V is what a variable is bound to. */
export class Scope<V> {
  private readonly vars = new Map<string, V>();
  private readonly declared = new Set<string>();
  constructor(readonly parent: Scope<V> | null) {}

  /** What name is bound to here or in an enclosing body. */
  lookup(name: string): V | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
  /** Binds name in this body. */
  bind(name: string, value: V): void {
    this.vars.set(name, value);
  }
  /** Declares name local to this body. */
  declare(name: string): void {
    this.declared.add(name);
  }
  /** True when name is declared here or in an enclosing body. */
  isDeclared(name: string): boolean {
    return this.declared.has(name) || (this.parent?.isDeclared(name) ?? false);
  }
}

/** What the checks need to know about the bindings at the point they judge. */
export interface BindingView {
  /** True when the variable is bound. */
  isBound(name: string): boolean;
  /** True when the variable is declared local (so it shadows global names). */
  isDeclared(name: string): boolean;
  /** True when the variable belongs to an enclosing body (a comprehension must wait for it). */
  isOuter(name: string): boolean;
  /** Runs check as if the given variables were bound. */
  assuming(names: ReadonlySet<string>, check: () => boolean): boolean;
}
