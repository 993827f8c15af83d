// Electron main's answers to host requests: workspace files through native dialogs, recent workspaces, autosave, exports.
//
// No Electron import here (dialogs come in as functions), so the rules are unit-tested in Node. The
// renderer never names a path: saves and opens go through dialogs the user answers, 'recent' must be
// an entry of main's own list, and a program path in a saved workspace is kept only if main itself
// opened that file (a compromised renderer cannot make the next restore read an arbitrary file).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HostRequest, HostResponse, WorkspaceState } from '../../engine/protocol';
import { loadWorkspace, saveWorkspace, writeFileAtomic } from '../web/workspace-store';

/** Program files larger than this are not read back on restore (the protocol's open limit). */
const MAX_PROGRAM_BYTES = 64 * 1024 * 1024;
const MAX_RECENT = 10;
export const WORKSPACE_FILTERS = [{ name: 'bpfdbg workspaces', extensions: ['json'] }, { name: 'All files', extensions: ['*'] }];

export interface DialogOptions {
  readonly title: string;
  readonly defaultName?: string;
  readonly filters: readonly { readonly name: string; readonly extensions: readonly string[] }[];
}

export interface DesktopHostDeps {
  /** Electron's userData directory: autosave and the recent-workspaces list live there. */
  readonly userData: string;
  showOpen(options: DialogOptions): Promise<string | undefined>;
  showSave(options: DialogOptions): Promise<string | undefined>;
  /** The path main opened a program file from, by its file name (main records every file it reads for the user). */
  programPath(name: string): string | undefined;
  /** A workspace the user opened names a program file: main may read it again later. */
  rememberProgram(name: string, file: string): void;
  /** The recent-workspaces list changed (rebuild the menu). */
  onRecentChanged?(): void;
}

export class DesktopHost {
  /** The workspace file last saved to or opened ('current' saves go there). */
  current: string | undefined;
  recent: string[] = [];

  constructor(private readonly deps: DesktopHostDeps) {}

  get autosaveFile(): string {
    return path.join(this.deps.userData, 'autosave.bpfdbg.json');
  }

  private get recentFile(): string {
    return path.join(this.deps.userData, 'recent-workspaces.json');
  }

  async loadRecent(): Promise<void> {
    try {
      const data: unknown = JSON.parse(await readFile(this.recentFile, 'utf8'));
      this.recent = Array.isArray(data) ? data.filter((x): x is string => typeof x === 'string' && path.isAbsolute(x)).slice(0, MAX_RECENT) : [];
    } catch {
      this.recent = [];
    }
  }

  private async remember(file: string): Promise<void> {
    this.current = file;
    this.recent = [file, ...this.recent.filter((f) => f !== file)].slice(0, MAX_RECENT);
    this.deps.onRecentChanged?.();
    try {
      await writeFileAtomic(this.recentFile, JSON.stringify(this.recent));
    } catch {
      // A read-only profile loses only the recent list.
    }
  }

  async clearRecent(): Promise<void> {
    this.recent = [];
    this.deps.onRecentChanged?.();
    await writeFileAtomic(this.recentFile, '[]').catch(() => undefined);
  }

  /** What goes to disk: a program path only where main itself opened that file. */
  private sanitize(w: WorkspaceState): WorkspaceState {
    const p = w.program;
    if (!p) return w;
    const known = this.deps.programPath(p.name);
    const { path: claimed, ...rest } = p;
    if (known !== undefined) return { ...w, program: { ...rest, path: known } };
    if (claimed !== undefined && rest.base64 === undefined) {
      // Neither a path main vouches for nor a copy: the program cannot be part of the file.
      const { program: _program, ...noProgram } = w;
      return noProgram;
    }
    return { ...w, program: rest };
  }

  async answer(request: HostRequest): Promise<HostResponse> {
    switch (request.kind) {
      case 'workspace.list':
        return { kind: 'workspace.list', names: [...this.recent], ...(this.current ? { current: this.current } : {}) };
      case 'workspace.save': {
        let file: string | undefined;
        if (request.to === 'autosave') file = this.autosaveFile;
        else if (request.to === 'current' && this.current) file = this.current;
        else {
          const base = (request.name ?? request.workspace.program?.name ?? 'workspace').replace(/[^A-Za-z0-9 _.-]/g, '_').replace(/\.[^.]*$/, '');
          file = await this.deps.showSave({ title: 'Save Workspace', defaultName: `${base || 'workspace'}.bpfdbg.json`, filters: WORKSPACE_FILTERS });
          if (!file) return { kind: 'dismissed' };
        }
        try {
          await saveWorkspace(file, this.sanitize(request.workspace));
        } catch (e) {
          return { kind: 'error', code: 'workspace.save-failed', message: `Could not save the workspace to ${file}: ${e instanceof Error ? e.message : String(e)}` };
        }
        if (request.to !== 'autosave') await this.remember(file);
        return { kind: 'workspace.saved', name: file };
      }
      case 'workspace.open': {
        let file: string | undefined;
        if (request.from === 'autosave') file = this.autosaveFile;
        else if (request.from === 'recent') {
          if (!request.name || !this.recent.includes(request.name)) return { kind: 'error', code: 'workspace.not-recent', message: 'That workspace is not in the recent list.' };
          file = request.name;
        } else {
          file = await this.deps.showOpen({ title: 'Open Workspace', filters: WORKSPACE_FILTERS });
          if (!file) return { kind: 'dismissed' };
        }
        const r = await loadWorkspace(file);
        if (!r.ok) return { kind: 'error', code: r.diagnostic.code, message: r.diagnostic.message };
        const notes = r.recovered ? [r.recovered] : [];
        const workspace = await this.withProgramBytes(r.workspace, notes);
        if (request.from !== 'autosave') await this.remember(file);
        return { kind: 'workspace.opened', name: file, workspace, notes };
      }
      case 'export.save': {
        const file = await this.deps.showSave({ title: 'Export Listing', defaultName: request.name.replace(/[^A-Za-z0-9 _.-]/g, '_') || 'listing.txt', filters: [{ name: 'Text', extensions: ['txt', 's'] }, { name: 'All files', extensions: ['*'] }] });
        if (!file) return { kind: 'dismissed' };
        try {
          await writeFileAtomic(file, request.text);
          return { kind: 'export.saved', name: file };
        } catch (e) {
          return { kind: 'error', code: 'export.failed', message: `Could not write ${file}: ${e instanceof Error ? e.message : String(e)}` };
        }
      }
    }
  }

  /**
   * Re-reads the program from its path (so a rebuilt object is what gets debugged); falls back to the
   * copy embedded in the workspace, and says which one it used when they differ.
   */
  private async withProgramBytes(w: WorkspaceState, notes: string[]): Promise<WorkspaceState> {
    const p = w.program;
    if (!p?.path) return w;
    try {
      const s = await stat(p.path);
      if (!s.isFile()) throw new Error('not a regular file');
      if (s.size > MAX_PROGRAM_BYTES) throw new Error(`${s.size} bytes is above the ${MAX_PROGRAM_BYTES}-byte limit`);
      const bytes = await readFile(p.path);
      this.deps.rememberProgram(p.name, p.path);
      const base64 = bytes.toString('base64');
      if (p.base64 !== undefined && p.base64 !== base64) notes.push(`${p.name} changed on disk since the workspace was saved; using the file as it is now (${p.path}).`);
      return { ...w, program: { ...p, base64 } };
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (p.base64 !== undefined) {
        notes.push(`Could not read ${p.path} (${why}); using the copy of ${p.name} saved in the workspace.`);
        return w;
      }
      notes.push(`Could not read ${p.path} (${why}); open the program again.`);
      const { program: _program, ...rest } = w;
      return rest;
    }
  }
}
