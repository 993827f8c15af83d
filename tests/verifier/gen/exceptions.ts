// Reasoned exceptions for the generated differential: disagreements that are understood and not (yet) bugs to fix.
// Every generated disagreement is either matched here (and counted as such, with its reason) or reported.
import type { Comparison } from '../differential';
import type { GenCase } from './verifier-gen';

export interface GenException {
  readonly id: string;
  /** Why this disagreement is expected; points at engine/verifier/EXCEPTIONS.md where the model is described. */
  readonly reason: string;
  /** Whether the verdicts may differ too, or only the first-error text. */
  readonly what: 'verdict' | 'error';
  readonly matches: (c: GenCase, r: Comparison) => boolean;
}

// Empty since the verifier models variable-offset stack access (the one class these programs used to hit).
export const GEN_EXCEPTIONS: readonly GenException[] = [];

export function classify(c: GenCase, r: Comparison): GenException | undefined {
  if (r.verdictAgrees && r.errorAgrees) return undefined;
  return GEN_EXCEPTIONS.find((e) => (e.what === 'verdict' || r.verdictAgrees) && e.matches(c, r));
}
