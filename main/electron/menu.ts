// The application menu, built from the engine's feature list: commands the engine cannot do yet are disabled.
import type { MenuItemConstructorOptions } from 'electron';
import type { Feature, FileFormat, HostMenuMessage, MenuCommand } from '../../engine/protocol';

export interface MenuActions {
  open(format: FileFormat): void;
  openRecent(file: string): void;
  clearRecent(): void;
  command(command: MenuCommand): void;
  /** Workspace and export items: the renderer owns the state, so it is asked to save/restore through host requests. */
  host(message: HostMenuMessage): void;
  clearRecentWorkspaces(): void;
}

export interface MenuModel {
  readonly features: ReadonlySet<Feature>;
  readonly recent: readonly string[];
  /** Workspace files, most recent first. */
  readonly recentWorkspaces: readonly string[];
  readonly isMac: boolean;
  readonly devTools: boolean;
}

/**
 * Debug accelerators are shown but not registered: the renderer handles F5/F9/F10/F11 itself (the
 * same keys work in browser mode), so a menu registration would fire the command twice.
 */
function debugItem(label: string, accelerator: string | undefined, command: MenuCommand, enabled: boolean, actions: MenuActions): MenuItemConstructorOptions {
  return { label, ...(accelerator ? { accelerator, registerAccelerator: false } : {}), enabled, click: () => actions.command(command) };
}

export function menuTemplate(model: MenuModel, actions: MenuActions): MenuItemConstructorOptions[] {
  const has = (f: Feature): boolean => model.features.has(f);
  const canOpen = has('open-object') || has('open-asm') || has('open-raw');
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', enabled: canOpen, click: () => actions.open('auto') },
      { label: 'Open Object File (.o)…', enabled: has('open-object'), click: () => actions.open('object') },
      { label: 'Open Assembly…', enabled: has('open-asm'), click: () => actions.open('asm') },
      { label: 'Open Raw Bytecode…', enabled: has('open-raw'), click: () => actions.open('raw') },
      { label: 'Open 2013-Dialect Image…', enabled: has('open-image2013'), click: () => actions.open('image2013') },
      {
        label: 'Open Recent',
        enabled: canOpen,
        submenu: model.recent.length
          ? [
            ...model.recent.map((f): MenuItemConstructorOptions => ({ label: f, click: () => actions.openRecent(f) })),
            { type: 'separator' },
            { label: 'Clear Recent', click: () => actions.clearRecent() },
          ]
          : [{ label: 'No recent files', enabled: false }],
      },
      { type: 'separator' },
      // Workspaces are the host's business (files, dialogs), so they do not depend on engine features.
      { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+Shift+O', click: () => actions.host({ command: 'workspace.open' }) },
      {
        label: 'Open Recent Workspace',
        submenu: model.recentWorkspaces.length
          ? [
            ...model.recentWorkspaces.map((f): MenuItemConstructorOptions => ({ label: f, click: () => actions.host({ command: 'workspace.open-recent', name: f }) })),
            { type: 'separator' },
            { label: 'Clear Recent Workspaces', click: () => actions.clearRecentWorkspaces() },
          ]
          : [{ label: 'No recent workspaces', enabled: false }],
      },
      { label: 'Save Workspace', accelerator: 'CmdOrCtrl+S', click: () => actions.host({ command: 'workspace.save' }) },
      { label: 'Save Workspace As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => actions.host({ command: 'workspace.save-as' }) },
      { type: 'separator' },
      // The listing is printed by the engine page by page; the renderer gathers it and main writes the file.
      { label: 'Export Listing…', accelerator: 'CmdOrCtrl+E', enabled: has('listing'), click: () => actions.host({ command: 'export-listing' }) },
      { type: 'separator' },
      model.isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const debug: MenuItemConstructorOptions = {
    label: '&Debug',
    submenu: [
      debugItem('Run', 'F5', 'run', has('run'), actions),
      debugItem('Continue', undefined, 'continue', has('run'), actions),
      { type: 'separator' },
      debugItem('Step Into', 'F11', 'step-into', has('step'), actions),
      debugItem('Step Over', 'F10', 'step-over', has('step'), actions),
      debugItem('Step Out', 'Shift+F11', 'step-out', has('step'), actions),
      debugItem('Step Back', 'Shift+F10', 'step-back', has('step-back'), actions),
      { type: 'separator' },
      debugItem('Toggle Breakpoint', 'F9', 'toggle-breakpoint', has('breakpoints'), actions),
    ],
  };
  // Layout items act on the renderer's state (it owns the layout and saves it in the workspace); like the
  // debug keys, Ctrl+B/Ctrl+J are handled by the renderer in both modes, so they are shown, not registered.
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { label: 'Toggle Light/Dark Theme', click: () => actions.command('toggle-theme') },
      { label: 'Focus Listing', accelerator: 'CmdOrCtrl+1', click: () => actions.command('focus-listing') },
      { label: 'Focus Console', accelerator: 'CmdOrCtrl+`', click: () => actions.command('focus-console') },
      { type: 'separator' },
      { label: 'Show/Hide State Panes', accelerator: 'CmdOrCtrl+B', registerAccelerator: false, click: () => actions.command('toggle-state-panes') },
      { label: 'Show/Hide Console Area', accelerator: 'CmdOrCtrl+J', registerAccelerator: false, click: () => actions.command('toggle-bottom-pane') },
      { label: 'Watch Expressions', enabled: has('watches'), click: () => actions.command('show-watches') },
      { label: 'Call Stack', enabled: has('stack'), click: () => actions.command('show-call-stack') },
      { label: 'Reset Layout', click: () => actions.command('reset-layout') },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(model.devTools ? [{ type: 'separator' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  };
  const template: MenuItemConstructorOptions[] = [file, debug, view, { role: 'windowMenu' }];
  if (model.isMac) template.unshift({ role: 'appMenu' });
  return template;
}
