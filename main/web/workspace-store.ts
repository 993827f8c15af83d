// Workspace files on disk for both hosts: atomic saves with a .bak of the previous version, and loads that fall back to it.
//
// Crash safety: a save writes a temporary file in the same directory, fsyncs it, links the current
// file to <file>.bak, then renames the temporary over the file and fsyncs the directory. rename(2)
// within one directory is atomic, so at every instant <file> is either the complete old version or
// the complete new one; a crash before the rename leaves the old file untouched (and a stray
// temporary that loads ignore). Loads validate everything (engine/session/workspace-file) and use
// the .bak only when the file itself is missing or torn (not JSON), never for a file that is
// merely from a newer version: that one is reported, and nothing is changed.
//
// The web host's WorkspaceDir confines browser mode to one directory: names, not paths, come
// from the page; they are checked against a strict pattern and the result must stay inside.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, readdir, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  MAX_WORKSPACE_TEXT, parseWorkspaceText, printWorkspace,
  type WorkspaceDiagnostic, type WorkspaceState,
} from '../../engine/session/workspace-file';

export type WorkspaceLoad =
  | { readonly ok: true; readonly workspace: WorkspaceState; readonly file: string; readonly recovered?: string }
  | { readonly ok: false; readonly diagnostic: WorkspaceDiagnostic | { readonly code: 'workspace.unreadable' | 'workspace.missing'; readonly message: string } };

export interface AtomicWriteHooks {
  /** Called after the temporary file is written and synced, before anything replaces the file (tests crash here). */
  readonly beforeRename?: (tmp: string) => void | Promise<void>;
}

export const BACKUP_SUFFIX = '.bak';
const TMP_PATTERN = /^\..+\.[0-9a-f]{12}\.tmp$/;

async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Windows cannot open a directory for fsync; its rename is already durable once it returns.
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** Replaces `file` with `text` atomically, keeping the previous version as `file.bak`. */
export async function writeFileAtomic(file: string, text: string, hooks: AtomicWriteHooks = {}): Promise<void> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const tmp = path.join(dir, `.${base}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': never follow or reuse something already at the temporary name.
  const fh = await open(tmp, 'wx', 0o600);
  try {
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await hooks.beforeRename?.(tmp);
    if (await exists(file)) await keepBackup(file);
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dir);
}

/** file.bak := the current file, itself replaced atomically (a hard link where the file system has them, else a synced copy). */
async function keepBackup(file: string): Promise<void> {
  const bak = file + BACKUP_SUFFIX;
  const tmp = path.join(path.dirname(file), `.${path.basename(bak)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await link(file, tmp);
  } catch {
    await copyFile(file, tmp, constants.COPYFILE_EXCL);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
  try {
    await rename(tmp, bak);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

export async function saveWorkspace(file: string, workspace: WorkspaceState, hooks?: AtomicWriteHooks): Promise<void> {
  await writeFileAtomic(file, printWorkspace(workspace), hooks);
}

async function readText(file: string): Promise<{ text: string } | { missing: true } | { error: string }> {
  try {
    const s = await stat(file);
    if (!s.isFile()) return { error: 'it is not a regular file' };
    // Bytes >= characters for UTF-8, so this refuses before reading anything absurd.
    if (s.size > MAX_WORKSPACE_TEXT * 4) return { error: `it is ${s.size} bytes, far above the workspace limit` };
    return { text: await readFile(file, 'utf8') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** Reads and validates a workspace; falls back to file.bak when the file is missing or torn, and says so. */
export async function loadWorkspace(file: string): Promise<WorkspaceLoad> {
  const main = await readText(file);
  if ('error' in main) return { ok: false, diagnostic: { code: 'workspace.unreadable', message: `Could not read ${file}: ${main.error}` } };
  if ('text' in main) {
    const parsed = parseWorkspaceText(main.text);
    if (parsed.ok) return { ok: true, workspace: parsed.workspace, file };
    if (parsed.diagnostic.code !== 'workspace.not-json') return { ok: false, diagnostic: { code: parsed.diagnostic.code, message: `${file}: ${parsed.diagnostic.message}` } };
  }
  const bak = await readText(file + BACKUP_SUFFIX);
  if ('text' in bak) {
    const parsed = parseWorkspaceText(bak.text);
    if (parsed.ok) {
      const why = 'missing' in main ? 'was missing' : 'was damaged (not valid JSON)';
      return { ok: true, workspace: parsed.workspace, file, recovered: `${file} ${why}; restored the previous version from ${path.basename(file)}${BACKUP_SUFFIX}.` };
    }
  }
  if ('missing' in main) return { ok: false, diagnostic: { code: 'workspace.missing', message: `${file} does not exist` } };
  const again = parseWorkspaceText(main.text);
  return { ok: false, diagnostic: again.ok ? { code: 'workspace.unreadable', message: `${file} could not be read` } : { code: again.diagnostic.code, message: `${file}: ${again.diagnostic.message}` } };
}

/** Workspace names browser mode may use: a plain file name, no separators, no leading dot. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/;
export const WORKSPACE_EXT = '.bpfdbg.json';
/** The name browser mode autosaves to. */
export const AUTOSAVE_NAME = 'autosave';

/** A directory of workspaces that the web host controls: the page names workspaces, it never gives paths. */
export class WorkspaceDir {
  private constructor(private readonly root: string) {}

  /** Creates the directory (mode 0700) if needed. */
  static async open(dir: string): Promise<WorkspaceDir> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new WorkspaceDir(await realpath(dir));
  }

  get directory(): string {
    return this.root;
  }

  /** The file for a workspace name, or an error text; never a path outside the directory. */
  fileOf(name: string): { file: string } | { error: string } {
    if (typeof name !== 'string' || !NAME.test(name) || name.includes('..')) {
      return { error: `"${String(name).slice(0, 60)}" is not a usable workspace name (letters, digits, space, _ . -; no path)` };
    }
    const file = path.join(this.root, name + WORKSPACE_EXT);
    if (path.dirname(file) !== this.root) return { error: `"${name}" is not a usable workspace name` };
    return { file };
  }

  /** Refuses to act on a symlink planted in the directory (it could point anywhere). */
  private async notALink(file: string): Promise<string | undefined> {
    try {
      if ((await lstat(file)).isSymbolicLink()) return `${path.basename(file)} is a symbolic link; refusing to use it`;
    } catch {
      // Missing is fine.
    }
    for (const other of [file + BACKUP_SUFFIX]) {
      try {
        if ((await lstat(other)).isSymbolicLink()) return `${path.basename(other)} is a symbolic link; refusing to use it`;
      } catch {
        // Missing is fine.
      }
    }
    return undefined;
  }

  async save(name: string, workspace: WorkspaceState): Promise<{ ok: true; name: string } | { ok: false; message: string }> {
    const f = this.fileOf(name);
    if ('error' in f) return { ok: false, message: f.error };
    const bad = await this.notALink(f.file);
    if (bad) return { ok: false, message: bad };
    try {
      await saveWorkspace(f.file, workspace);
      return { ok: true, name };
    } catch (e) {
      return { ok: false, message: `Could not save workspace ${name}: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  async load(name: string): Promise<WorkspaceLoad> {
    const f = this.fileOf(name);
    if ('error' in f) return { ok: false, diagnostic: { code: 'workspace.invalid', message: f.error } };
    const bad = await this.notALink(f.file);
    if (bad) return { ok: false, diagnostic: { code: 'workspace.unreadable', message: bad } };
    const r = await loadWorkspace(f.file);
    // Messages name the workspace, not the host's directory layout.
    const hide = (s: string): string => s.split(this.root + path.sep).join('');
    if (!r.ok) return { ok: false, diagnostic: { code: r.diagnostic.code, message: hide(r.diagnostic.message) } };
    return r.recovered ? { ...r, recovered: hide(r.recovered) } : r;
  }

  /** Workspace names, most recently modified first. */
  async list(): Promise<string[]> {
    const out: { name: string; mtime: number }[] = [];
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith(WORKSPACE_EXT) || TMP_PATTERN.test(entry.name)) continue;
      const name = entry.name.slice(0, -WORKSPACE_EXT.length);
      if (!NAME.test(name)) continue;
      const s = await stat(path.join(this.root, entry.name)).catch(() => undefined);
      if (s) out.push({ name, mtime: s.mtimeMs });
    }
    return out.sort((a, b) => b.mtime - a.mtime || a.name.localeCompare(b.name)).map((x) => x.name);
  }
}
