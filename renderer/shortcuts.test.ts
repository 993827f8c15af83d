// @vitest-environment happy-dom
// Keyboard shortcuts map the usual IDE keys to debugger commands.
import { describe, expect, it } from 'vitest';
import { shortcutFor } from './shortcuts';

const key = (k: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
  shortcutFor(new KeyboardEvent('keydown', { key: k, ...mods }));

describe('shortcutFor', () => {
  it('maps F5/F9/F10/F11/Shift+F11', () => {
    expect(key('F5')).toBe('run');
    expect(key('F9')).toBe('toggle-breakpoint');
    expect(key('F10')).toBe('step-over');
    expect(key('F11')).toBe('step-into');
    expect(key('F11', { shiftKey: true })).toBe('step-out');
    expect(key('F10', { shiftKey: true })).toBe('step-back');
  });

  it('maps Ctrl/Cmd+O and leaves other keys alone', () => {
    expect(key('o', { ctrlKey: true })).toBe('open');
    expect(key('O', { metaKey: true })).toBe('open');
    expect(key('o')).toBeUndefined();
    expect(key('b', { ctrlKey: true })).toBe('toggle-state-panes');
    expect(key('j', { metaKey: true })).toBe('toggle-bottom-pane');
    expect(key('b')).toBeUndefined();
    expect(key('F5', { ctrlKey: true })).toBeUndefined();
    expect(key('F5', { altKey: true })).toBeUndefined();
  });
});
