// Public surface of the assembler and disassembler: parse and print in llvm and conformance syntax.
export { parse, type ParseOptions, type ParseResult } from './parse';
export { printInsn, printProgram, slotPcs, type PrintOptions, type ProgramPrintOptions } from './print';
export { spellings, type Spelling, type Syntax } from './spelling';
