// Public surface of the assembler and disassembler: parse and print in llvm and conformance syntax.
export { parse, type ParseOptions, type ParseResult } from './parse';
export { printInsn, printProgram, slotPcs, type PrintOptions, type PrintSyntax, type ProgramPrintOptions } from './print';
export { printKernelInsn, type KernelPrintOptions } from './kernel-print';
export { spellings, type Spelling, type Syntax } from './spelling';
