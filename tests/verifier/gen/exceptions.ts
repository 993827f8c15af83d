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

export const GEN_EXCEPTIONS: readonly GenException[] = [
  {
    id: 'unsupported.stack-var',
    what: 'verdict',
    reason: 'variable-offset stack reads and writes (check_stack_read_var_off / check_stack_write_var_off) are not modelled; ' +
      'our verifier rejects them with code unsupported.stack-var and says so, instead of guessing (EXCEPTIONS.md, "Not modelled yet")',
    matches: (_c, r) => r.ours.error?.code === 'unsupported.stack-var',
  },
];

export function classify(c: GenCase, r: Comparison): GenException | undefined {
  if (r.verdictAgrees && r.errorAgrees) return undefined;
  return GEN_EXCEPTIONS.find((e) => (e.what === 'verdict' || r.verdictAgrees) && e.matches(c, r));
}
