// Public surface of the object loaders: ELF BPF objects, raw bytecode, and their building blocks.
export * from './elf';
export * from './btf';
export * from './btf-ext';
export * from './sec-defs';
export * from './maps';
export * from './object';
export * from './raw';
export * from './kernel-btf';
export * from './elf-writer';
export * from './program-input';
