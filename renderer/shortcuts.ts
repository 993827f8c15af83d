// Keyboard shortcuts: one table from key to command, used in Electron and browser mode alike.

export type ShortcutAction =
  | 'open' | 'run' | 'step-into' | 'step-over' | 'step-out' | 'step-back' | 'toggle-breakpoint' | 'focus-console' | 'focus-listing'
  | 'toggle-state-panes' | 'toggle-bottom-pane';

interface KeyLike {
  readonly key: string;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
}

/** The command a key press means, if any. Debug keys are the usual IDE ones (F5 run, F9 breakpoint, F10/F11 step). */
export function shortcutFor(e: KeyLike): ShortcutAction | undefined {
  const mod = e.ctrlKey || e.metaKey;
  if (e.altKey) return undefined;
  if (mod && !e.shiftKey && e.key.toLowerCase() === 'o') return 'open';
  if (mod && !e.shiftKey && e.key === '`') return 'focus-console';
  if (mod && !e.shiftKey && e.key === '1') return 'focus-listing';
  // As in VS Code: Ctrl+B the side column (here the state panes), Ctrl+J the panel below.
  if (mod && !e.shiftKey && e.key.toLowerCase() === 'b') return 'toggle-state-panes';
  if (mod && !e.shiftKey && e.key.toLowerCase() === 'j') return 'toggle-bottom-pane';
  if (mod) return undefined;
  switch (e.key) {
    case 'F5': return e.shiftKey ? undefined : 'run';
    case 'F9': return e.shiftKey ? undefined : 'toggle-breakpoint';
    case 'F10': return e.shiftKey ? 'step-back' : 'step-over';
    case 'F11': return e.shiftKey ? 'step-out' : 'step-into';
    default: return undefined;
  }
}
