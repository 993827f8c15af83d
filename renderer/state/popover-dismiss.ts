// A popover menu closes on a click elsewhere or on Escape, as native menus do. The listeners are on
// the document only while the menu is open, in the capture phase so a pane that stops propagation
// cannot keep a menu open.
import { onBeforeUnmount, watch, type Ref } from 'vue';

export function usePopoverDismiss(root: Ref<HTMLElement | undefined>, open: Ref<boolean>): void {
  function onPointer(e: PointerEvent): void {
    if (root.value && !root.value.contains(e.target as Node)) open.value = false;
  }
  function onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') open.value = false;
  }
  function listen(on: boolean): void {
    const method = on ? 'addEventListener' : 'removeEventListener';
    document[method]('pointerdown', onPointer as EventListener, true);
    document[method]('keydown', onKey as EventListener, true);
  }
  watch(open, listen);
  onBeforeUnmount(() => listen(false));
}
