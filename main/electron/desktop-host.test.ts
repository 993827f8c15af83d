// Electron main's workspace rules without Electron: dialogs are functions, the file system is real.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DesktopHost, type DialogOptions } from './desktop-host';
import { emptyWorkspace, parseWorkspaceText, printWorkspace, WORKSPACE_VERSION, type WorkspaceState } from '../../engine/session/workspace-file';

let dir: string;
let answers: (string | undefined)[];
let asked: DialogOptions[];
let programs: Map<string, string>;
let host: DesktopHost;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bpfdbg-desk-'));
  answers = [];
  asked = [];
  programs = new Map();
  const dialog = async (o: DialogOptions) => {
    asked.push(o);
    return answers.shift();
  };
  host = new DesktopHost({
    userData: dir,
    showOpen: dialog,
    showSave: dialog,
    programPath: (name) => programs.get(name),
    rememberProgram: (name, file) => programs.set(name, file),
  });
  await host.loadRecent();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function workspace(extra: Partial<WorkspaceState> = {}): WorkspaceState {
  return { ...emptyWorkspace(), breakpoints: [{ pc: 2, enabled: true, condition: 'r1 == 0' }], ...extra };
}

describe('DesktopHost', () => {
  it('saves through a dialog, then to the same file; remembers it as recent; reopens it with the program re-read from disk', async () => {
    const programFile = path.join(dir, 'p.bin');
    writeFileSync(programFile, Buffer.from([0x95, 0, 0, 0, 0, 0, 0, 0]));
    programs.set('p.bin', programFile);
    const file = path.join(dir, 'mine.bpfdbg.json');
    answers.push(file);
    const w = workspace({ program: { name: 'p.bin', base64: 'lQAAAAAAAAA=', format: 'raw', program: 0 } });
    expect(await host.answer({ kind: 'workspace.save', to: 'current', workspace: w })).toEqual({ kind: 'workspace.saved', name: file });
    expect(asked[0].defaultName).toBe('p.bpfdbg.json');
    const saved = parseWorkspaceText(readFileSync(file, 'utf8'));
    expect(saved.ok && saved.workspace.program?.path).toBe(programFile);
    // 'current' now goes to the same file without asking.
    expect(await host.answer({ kind: 'workspace.save', to: 'current', workspace: w })).toEqual({ kind: 'workspace.saved', name: file });
    expect(asked).toHaveLength(1);
    expect(host.recent).toEqual([file]);

    // The program was rebuilt: the restore uses the file as it is now and says so.
    writeFileSync(programFile, Buffer.from([0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]));
    const r = await host.answer({ kind: 'workspace.open', from: 'recent', name: file });
    if (r.kind !== 'workspace.opened') throw new Error(JSON.stringify(r));
    expect(Buffer.from(r.workspace.program?.base64 ?? '', 'base64')).toHaveLength(16);
    expect(r.notes.join(' ')).toContain('changed on disk');
    expect(r.workspace.breakpoints).toEqual([{ pc: 2, enabled: true, condition: 'r1 == 0' }]);
  });

  it('falls back to the embedded copy when the program file is gone, and drops a program it cannot get', async () => {
    const programFile = path.join(dir, 'gone.bin');
    const file = path.join(dir, 'w.bpfdbg.json');
    writeFileSync(file, printWorkspace(workspace({ program: { name: 'gone.bin', path: programFile, base64: 'lQAAAAAAAAA=', format: 'raw', program: 0 } })));
    answers.push(file);
    const r = await host.answer({ kind: 'workspace.open', from: 'choose' });
    expect(r).toMatchObject({ kind: 'workspace.opened', workspace: { program: { base64: 'lQAAAAAAAAA=' } } });
    if (r.kind === 'workspace.opened') expect(r.notes.join(' ')).toContain('using the copy');
    writeFileSync(file, printWorkspace(workspace({ program: { name: 'gone.bin', path: programFile, format: 'raw', program: 0 } })));
    answers.push(file);
    const r2 = await host.answer({ kind: 'workspace.open', from: 'choose' });
    if (r2.kind !== 'workspace.opened') throw new Error(JSON.stringify(r2));
    expect(r2.workspace.program).toBeUndefined();
    expect(r2.notes.join(' ')).toContain('open the program again');
  });

  it('does not let the renderer choose paths: program paths it claims are dropped, recent must be in the list', async () => {
    answers.push(path.join(dir, 'x.bpfdbg.json'));
    await host.answer({ kind: 'workspace.save', to: 'new', workspace: workspace({ program: { name: 'shadow', path: '/etc/shadow', base64: 'AAAA', format: 'raw', program: 0 } }) });
    const saved = parseWorkspaceText(readFileSync(path.join(dir, 'x.bpfdbg.json'), 'utf8'));
    expect(saved.ok && saved.workspace.program).toEqual({ name: 'shadow', base64: 'AAAA', format: 'raw', program: 0 });
    expect(await host.answer({ kind: 'workspace.open', from: 'recent', name: '/etc/passwd' })).toMatchObject({ kind: 'error', code: 'workspace.not-recent' });
  });

  it('autosaves silently and never touches the recent list; a dismissed dialog changes nothing', async () => {
    expect(await host.answer({ kind: 'workspace.save', to: 'autosave', workspace: workspace() })).toEqual({ kind: 'workspace.saved', name: host.autosaveFile });
    expect(asked).toEqual([]);
    expect(host.recent).toEqual([]);
    expect(await host.answer({ kind: 'workspace.open', from: 'autosave' })).toMatchObject({ kind: 'workspace.opened', workspace: { breakpoints: [{ pc: 2 }] } });
    expect(await host.answer({ kind: 'workspace.save', to: 'new', workspace: workspace() })).toEqual({ kind: 'dismissed' });
    expect(await host.answer({ kind: 'workspace.open', from: 'choose' })).toEqual({ kind: 'dismissed' });
  });

  it('a future-version workspace is reported, not opened', async () => {
    const file = path.join(dir, 'future.bpfdbg.json');
    writeFileSync(file, JSON.stringify({ ...workspace(), version: WORKSPACE_VERSION + 1 }));
    answers.push(file);
    const r = await host.answer({ kind: 'workspace.open', from: 'choose' });
    expect(r).toMatchObject({ kind: 'error', code: 'workspace.future-version' });
    expect(host.recent).toEqual([]);
  });

  it('exports text where the user chooses', async () => {
    const file = path.join(dir, 'listing.txt');
    answers.push(file);
    expect(await host.answer({ kind: 'export.save', name: 'p.txt', text: 'r0 = 0\nexit\n' })).toEqual({ kind: 'export.saved', name: file });
    expect(readFileSync(file, 'utf8')).toBe('r0 = 0\nexit\n');
  });
});
