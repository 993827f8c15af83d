// Public surface of the instruction-set core.
export * from './diagnostic';
export * from './opcodes';
export * from './table';
export * from './insn';
export * from './codec';
