// The application menu enables exactly the commands the engine offers and routes clicks to them.
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate, type MenuActions } from './menu';
import type { Feature } from '../../engine/protocol';

function flatten(items: readonly MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

function build(features: Feature[], recent: string[] = [], recentWorkspaces: string[] = []) {
  const calls: string[] = [];
  const actions: MenuActions = {
    open: (f) => calls.push(`open:${f}`),
    openRecent: (f) => calls.push(`recent:${f}`),
    clearRecent: () => calls.push('clear'),
    command: (c) => calls.push(`command:${c}`),
    host: (m) => calls.push(`host:${m.command}${'name' in m ? `:${m.name}` : ''}`),
    clearRecentWorkspaces: () => calls.push('clear-workspaces'),
  };
  const items = flatten(menuTemplate({ features: new Set(features), recent, recentWorkspaces, isMac: false, devTools: false }, actions));
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
    for (const l of ['Run', 'Continue', 'Step Into', 'Step Over', 'Step Out', 'Step Back', 'Toggle Breakpoint']) {
      expect(m.item(l).enabled, l).toBe(false);
    }
    expect(build(['open-object']).item('Export Listing…').enabled).toBe(false);
    const all = build(['open-object', 'listing', 'run', 'step', 'step-back', 'breakpoints']);
    for (const l of ['Run', 'Step Into', 'Step Back', 'Toggle Breakpoint', 'Export Listing…']) expect(all.item(l).enabled, l).toBe(true);
    // Workspaces are the host's, available whatever the engine offers.
    for (const l of ['Save Workspace', 'Save Workspace As…', 'Open Workspace…']) expect(build([]).item(l).enabled, l).not.toBe(false);
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

  it('has every File item the issue lists and routes workspace items to the renderer', () => {
    const m = build(['open-object', 'open-asm', 'open-raw', 'open-image2013', 'listing'], [], ['/home/u/a.bpfdbg.json']);
    for (const l of ['Open Object File (.o)…', 'Open Assembly…', 'Open Raw Bytecode…', 'Open 2013-Dialect Image…', 'Open Recent', 'Save Workspace', 'Export Listing…']) m.item(l);
    expect(m.item('Save Workspace')).toMatchObject({ accelerator: 'CmdOrCtrl+S' });
    m.click('Save Workspace');
    m.click('Save Workspace As…');
    m.click('Open Workspace…');
    m.click('/home/u/a.bpfdbg.json');
    m.click('Clear Recent Workspaces');
    m.click('Export Listing…');
    m.click('Open 2013-Dialect Image…');
    expect(m.calls).toEqual(['host:workspace.save', 'host:workspace.save-as', 'host:workspace.open', 'host:workspace.open-recent:/home/u/a.bpfdbg.json', 'clear-workspaces', 'host:export-listing', 'open:image2013']);
    expect(build([]).item('No recent workspaces').enabled).toBe(false);
  });

  it('has the Debug and View items the issue lists', () => {
    const m = build(['run', 'step', 'step-back', 'breakpoints']);
    for (const l of ['Run', 'Continue', 'Step Into', 'Step Over', 'Step Out', 'Step Back', 'Toggle Breakpoint', 'Toggle Light/Dark Theme', 'Focus Listing', 'Focus Console']) m.item(l);
  });

  it('View shows and hides the state panes and the console area, opens watches and the call stack, resets the layout', () => {
    const m = build(['stack', 'watches']);
    m.click('Show/Hide State Panes');
    m.click('Show/Hide Console Area');
    m.click('Watch Expressions');
    m.click('Call Stack');
    m.click('Reset Layout');
    expect(m.calls).toEqual(['command:toggle-state-panes', 'command:toggle-bottom-pane', 'command:show-watches', 'command:show-call-stack', 'command:reset-layout']);
    // The renderer handles the keys (browser mode has the same ones), so the menu only shows them.
    expect(m.item('Show/Hide State Panes')).toMatchObject({ accelerator: 'CmdOrCtrl+B', registerAccelerator: false });
    expect(m.item('Show/Hide Console Area')).toMatchObject({ accelerator: 'CmdOrCtrl+J', registerAccelerator: false });
    // Layout is the renderer's: always available; the panes that need engine features follow them.
    const none = build([]);
    for (const l of ['Show/Hide State Panes', 'Show/Hide Console Area', 'Reset Layout']) expect(none.item(l).enabled, l).not.toBe(false);
    expect(none.item('Watch Expressions').enabled).toBe(false);
    expect(none.item('Call Stack').enabled).toBe(false);
    expect(m.item('Watch Expressions').enabled).toBe(true);
  });
});
