// The cancel flag shared by the host thread and the engine worker (a SharedArrayBuffer of two int32s).
//
// Element 0 non-zero: "stop the running command" — what the interpreter and the debugger poll, and reset when a
// debugger command starts. Element 1: which request the cancel is for (its id's low 31 bits), written before
// element 0. A verification polls both, so a cancel that arrives before the verify starts is still honoured
// (nothing resets it first), and a cancel left over from a request that had already finished stops no other one.

/** Int32 elements of the shared buffer. */
export const CANCEL_FLAG_LENGTH = 2;

/** The target request id as stored in element 1. */
export function cancelTag(requestId: number): number {
  return requestId & 0x7fffffff;
}

/** Host side: asks the worker to stop request `target`. */
export function requestCancel(flag: Int32Array, target: number): void {
  if (flag.length >= CANCEL_FLAG_LENGTH) Atomics.store(flag, 1, cancelTag(target));
  Atomics.store(flag, 0, 1);
}

/** Worker side: whether a cancel for request `id` is pending (an old one-element flag cancels whatever runs). */
export function cancelRequested(flag: Int32Array, id: number): boolean {
  if (Atomics.load(flag, 0) === 0) return false;
  return flag.length < CANCEL_FLAG_LENGTH || Atomics.load(flag, 1) === cancelTag(id);
}
