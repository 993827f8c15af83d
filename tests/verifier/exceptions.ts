// Known disagreements with the kernel, each with its reason; engine/verifier/EXCEPTIONS.md explains them in full.

export interface KnownDifference {
  /** What differs: the first error line, or only the level-1 log text. */
  readonly what: 'error' | 'log';
  readonly reason: string;
}

export const KNOWN_DIFFERENCES: Readonly<Record<string, KnownDifference>> = {
};
