// The application menu enables exactly the commands the engine offers and routes clicks to them.
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate, type MenuActions } from './menu';
import type { Feature } from '../../engine/protocol';

function flatten(items: readonly MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

function build(features: Feature[], recent: string[] = []) {
  const calls: string[] = [];
  const actions: MenuActions = {
    open: (f) => calls.push(`open:${f}`),
    openRecent: (f) => calls.push(`recent:${f}`),
    clearRecent: () => calls.push('clear'),
    command: (c) => calls.push(`command:${c}`),
  };
  const items = flatten(menuTemplate({ features: new Set(features), recent, isMac: false, devTools: false }, actions));
  const item = (label: string) => {
    const found = items.find((i) => i.label === label);
    if (!found) throw new Error(`no menu item ${label}`);
    return found;
  };
  const click = (label: string) => (item(label).click as () => void)();
  return { item, click, calls };
}

describe('menuTemplate', () => {
  it('disables what the engine cannot do and enables what it can', () => {
    const m = build(['open-object', 'open-asm', 'open-raw', 'listing']);
    expect(m.item('Open…').enabled).toBe(true);
    expect(m.item('Open Object File (.o)…').enabled).toBe(true);
    expect(m.item('Open 2013-Dialect Image…').enabled).toBe(false);
    for (const l of ['Run', 'Continue', 'Step Into', 'Step Over', 'Step Out', 'Step Back', 'Toggle Breakpoint', 'Save Workspace…', 'Export Listing…']) {
      expect(m.item(l).enabled, l).toBe(false);
    }
    const all = build(['open-object', 'run', 'step', 'step-back', 'breakpoints', 'workspace', 'export']);
    for (const l of ['Run', 'Step Into', 'Step Back', 'Toggle Breakpoint', 'Save Workspace…']) expect(all.item(l).enabled, l).toBe(true);
  });

  it('shows debug keys without registering them (the renderer handles them)', () => {
    const m = build(['run', 'step']);
    expect(m.item('Run')).toMatchObject({ accelerator: 'F5', registerAccelerator: false });
    expect(m.item('Step Out')).toMatchObject({ accelerator: 'Shift+F11', registerAccelerator: false });
    m.click('Step Over');
    m.click('Toggle Light/Dark Theme');
    expect(m.calls).toEqual(['command:step-over', 'command:toggle-theme']);
  });

  it('lists recent files and opens them', () => {
    const m = build(['open-object'], ['/tmp/a.o', '/tmp/b.o']);
    m.click('/tmp/b.o');
    m.click('Clear Recent');
    m.click('Open Assembly…');
    expect(m.calls).toEqual(['recent:/tmp/b.o', 'clear', 'open:asm']);
    expect(build(['open-object']).item('No recent files').enabled).toBe(false);
  });
});
