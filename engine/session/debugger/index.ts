// Public surface of the debugger core: expressions, breakpoints, stepping and step-back, state views, the command console, launching.
export * from './expr';
export * from './breakpoints';
export * from './target';
export * from './debugger';
export * from './views';
export * from './commands';
export { MachineTarget, insnAtSlot, type NativeStop } from './machine-target';
export * from './launch';
export * from './programs';
export * from './load';
