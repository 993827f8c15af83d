// Typed bridge from Node to the running kernel's bpf(2): load, inspect, test-run programs and use maps.
export * from './constants';
export { closeFd, errnoName, type BpfError } from './syscall';
export * from './availability';
export * from './prog';
export * from './map';
export * from './btf';
