// Runs work after the next frame is painted, so it never delays what a step shows (step latency is measured to the paint).
//
// requestAnimationFrame callbacks run just before the browser paints a frame; a task queued from one
// runs after that paint.
export function afterPaint(f: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(f, 0));
  else setTimeout(f, 0);
}
