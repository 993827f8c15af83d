// Public surface of the 2013 "extended BPF" dialect (seed 003): forms, codec, helpers, transcoder.
export * from './opcodes';
export * from './table';
export * from './insn';
export * from './codec';
export * from './helpers';
export * from './transcode';
