// UI state: theme, which pane has focus, and the notices (errors and notes) shown where the user is looking.
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type Theme = 'dark' | 'light';
export type Pane = 'listing' | 'console' | 'registers' | 'stack' | 'maps' | 'inputs' | 'diagnostics';

export interface Notice {
  readonly id: number;
  readonly level: 'error' | 'info';
  readonly text: string;
}

const THEME_KEY = 'bpfdbg.theme';

function initialTheme(): Theme {
  try {
    const saved = window.localStorage.getItem(THEME_KEY);
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    // Storage can be disabled; fall back to the system preference.
  }
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export const useUiStore = defineStore('ui', () => {
  const theme = ref<Theme>(initialTheme());
  const focused = ref<Pane>('listing');
  const notices = ref<Notice[]>([]);
  let nextNotice = 1;

  watch(theme, (t) => {
    document.documentElement.dataset.theme = t;
    try {
      window.localStorage.setItem(THEME_KEY, t);
    } catch {
      // Not persisting the theme is harmless.
    }
  }, { immediate: true });

  function toggleTheme(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark';
  }

  function notify(level: Notice['level'], text: string): void {
    // The same message twice in a row is one notice (e.g. F5 pressed repeatedly).
    const last = notices.value[notices.value.length - 1];
    if (last && last.text === text && last.level === level) return;
    notices.value = [...notices.value.slice(-4), { id: nextNotice++, level, text }];
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  function focus(pane: Pane): void {
    focused.value = pane;
  }

  return { theme, focused, notices, toggleTheme, notify, dismiss, focus };
});
