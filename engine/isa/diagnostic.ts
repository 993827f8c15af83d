// Diagnostics: the data every engine stage returns to report a user's mistake (never a thrown Error).

/** Where a diagnostic points: any of an instruction index, a byte offset, a text position, a section. */
export interface Location {
  /** Instruction slot index (pc) within the program, as the kernel counts it (lddw takes two). */
  readonly pc?: number;
  /** Byte offset within the input (file or section). */
  readonly byteOffset?: number;
  /** 1-based line and column for text input. */
  readonly line?: number;
  readonly column?: number;
  /** ELF section or image part the offset is relative to. */
  readonly section?: string;
  /** File name, where the caller knows it. */
  readonly file?: string;
}

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic extends Location {
  /** Stable machine-readable code, e.g. "isa.reserved-field", "asm.expected-register". */
  readonly code: string;
  readonly severity: Severity;
  /** Human text; where the kernel has a message for the same condition, the kernel's text. */
  readonly message: string;
}

export function error(code: string, message: string, where: Location = {}): Diagnostic {
  return { ...where, code, severity: 'error', message };
}

export function warning(code: string, message: string, where: Location = {}): Diagnostic {
  return { ...where, code, severity: 'warning', message };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** "file:line:col: message", "section+0x18: message" or "insn 5: message", for terminals. */
export function formatDiagnostic(d: Diagnostic): string {
  const parts: string[] = [];
  if (d.file) parts.push(d.file);
  if (d.line !== undefined) parts.push(String(d.line) + (d.column !== undefined ? `:${d.column}` : ''));
  let where = parts.join(':');
  if (d.section !== undefined) where += (where ? ':' : '') + d.section + (d.byteOffset !== undefined ? `+0x${d.byteOffset.toString(16)}` : '');
  else if (d.byteOffset !== undefined) where += (where ? ':' : '') + `offset 0x${d.byteOffset.toString(16)}`;
  if (d.pc !== undefined) where += (where ? ' ' : '') + `insn ${d.pc}`;
  return `${where ? where + ': ' : ''}${d.severity}: ${d.message} [${d.code}]`;
}
