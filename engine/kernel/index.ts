// Public surface of the simulated kernel: address space, maps, helpers, run contexts.
export * from './address-space';
export * from './maps';
export * from './kernel';
export * from './helpers';
export * from './run-ctx';
export { HELPER_NAMES } from './helper-protos';
export * from './kprobe';
export * from './tail-call';
export * from './dtrace';
export * from './helpers-2013';
export * from './run-2013';
