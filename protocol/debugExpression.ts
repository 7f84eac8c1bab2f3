/**
 * Debugger expressions as plain data. The adapter parses the text a user typed (watch, hover,
 * breakpoint condition, logpoint); the machine side evaluates the tree against the CPU, so a
 * conditional breakpoint or a logpoint costs no round trip to the host per hit.
 */
import type { RegisterName, SegmentRegister } from './machineState.js';

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>'
  | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';
export type UnaryOp = '-' | '~' | '!';

/** Where a memory operand or an address literal points. */
export type AddressExpr =
  /** seg:off. `seg` is a segment register (its descriptor cache base) or a value (a paragraph in real/V86 mode, a selector in protected mode). */
  | { readonly kind: 'segoff'; readonly seg: SegmentRegister | Expr; readonly offset: Expr }
  | { readonly kind: 'linear'; readonly value: Expr }
  | { readonly kind: 'physical'; readonly value: Expr };

export type Expr =
  | { readonly k: 'num'; readonly value: number }
  | { readonly k: 'reg'; readonly name: RegisterName }
  | { readonly k: 'mem'; readonly size: 1 | 2 | 4; readonly address: AddressExpr }
  /** An address literal (`0000:7C00`, `lin:...`, `phys:...`): evaluates to the linear (or physical) address. */
  | { readonly k: 'addr'; readonly address: AddressExpr }
  | { readonly k: 'unary'; readonly op: UnaryOp; readonly arg: Expr }
  | { readonly k: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr };

export interface EvalResult {
  /** Unsigned 32-bit result. */
  readonly value: number;
  /** Natural width of the value in bytes (a 16-bit register is 2), for display. */
  readonly size: 1 | 2 | 4;
  /** Set when the value is an address: where it points, for the memory view. */
  readonly pointer?: { readonly space: 'linear' | 'physical'; readonly address: number };
}

/** DAP hit conditions: `5` or `== 5` (exactly the 5th hit), `>= 5`, `> 5`, `% 5` (every 5th). */
export interface HitCondition {
  readonly op: '==' | '>=' | '>' | '%';
  readonly count: number;
}

/** A logpoint message split into text and `{expression}` holes. */
export type LogPart = { readonly text: string } | { readonly expr: Expr };

export interface BreakpointSpec {
  /** Chosen by the adapter; reported back in StopEvent.hitBreakpointIds. */
  readonly id: number;
  /** Linear addresses to trap (a `phys:` breakpoint under paging may map to several, or none). */
  readonly linear: readonly number[];
  readonly condition?: Expr;
  readonly hitCondition?: HitCondition;
  /** A logpoint: print and continue instead of stopping. */
  readonly log?: readonly LogPart[];
}
