// Workspace files on disk: atomic replacement with a .bak, crash safety (a real SIGKILL mid-save), recovery, and the browser-mode directory jail.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emptyWorkspace, printWorkspace, WORKSPACE_VERSION, type WorkspaceState } from '../../engine/session/workspace-file';
import { loadWorkspace, saveWorkspace, WorkspaceDir, writeFileAtomic } from './workspace-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bpfdbg-ws-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ws = (marker: string): WorkspaceState => ({ ...emptyWorkspace(), watches: [marker] });
const marker = (w: WorkspaceState): string | undefined => w.watches[0];

describe('atomic save', () => {
  it('replaces the file and keeps the previous version as .bak, leaving no temporaries', async () => {
    const file = path.join(dir, 'a.json');
    await saveWorkspace(file, ws('one'));
    expect(existsSync(file + '.bak')).toBe(false);
    await saveWorkspace(file, ws('two'));
    await saveWorkspace(file, ws('three'));
    expect(readFileSync(file, 'utf8')).toBe(printWorkspace(ws('three')));
    expect(readFileSync(file + '.bak', 'utf8')).toBe(printWorkspace(ws('two')));
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'a.json.bak']);
  });

  it('a failure before the rename leaves the old file intact and removes the temporary', async () => {
    const file = path.join(dir, 'a.json');
    await saveWorkspace(file, ws('old'));
    await expect(saveWorkspace(file, ws('new'), { beforeRename: () => { throw new Error('disk full'); } })).rejects.toThrow('disk full');
    expect(readFileSync(file, 'utf8')).toBe(printWorkspace(ws('old')));
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('a process killed (SIGKILL) between fsync and rename leaves the old file intact and loadable', async () => {
    const file = path.join(dir, 'a.json');
    await saveWorkspace(file, ws('old'));
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'workspace-crash-child.ts'), file, 'new'], { encoding: 'utf8', timeout: 30_000 });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    // The dead process's temporary file (complete, synced) is still there; the real file is untouched.
    const tmp = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
    expect(tmp).toHaveLength(1);
    expect(readFileSync(path.join(dir, tmp[0]), 'utf8')).toBe(printWorkspace(ws('new')));
    expect(readFileSync(file, 'utf8')).toBe(printWorkspace(ws('old')));
    const r = await loadWorkspace(file);
    expect(r.ok && marker(r.workspace)).toBe('old');
    expect(r.ok && r.recovered).toBeFalsy();
    // The next save works despite the stray temporary.
    await saveWorkspace(file, ws('next'));
    const again = await loadWorkspace(file);
    expect(again.ok && marker(again.workspace)).toBe('next');
  });

  it('writeFileAtomic never writes through a pre-planted temporary name', async () => {
    const file = path.join(dir, 'x.txt');
    await writeFileAtomic(file, 'a');
    await writeFileAtomic(file, 'b');
    expect(readFileSync(file, 'utf8')).toBe('b');
  });
});

describe('load', () => {
  it('falls back to .bak when the file is torn or missing, and says so', async () => {
    const file = path.join(dir, 'a.json');
    await saveWorkspace(file, ws('one'));
    await saveWorkspace(file, ws('two'));
    writeFileSync(file, printWorkspace(ws('three')).slice(0, 40));
    const torn = await loadWorkspace(file);
    expect(torn.ok && marker(torn.workspace)).toBe('one');
    expect(torn.ok && torn.recovered).toContain('was damaged');
    rmSync(file);
    const missing = await loadWorkspace(file);
    expect(missing.ok && missing.recovered).toContain('was missing');
  });

  it('reports a newer-version or invalid file instead of silently using the backup, and changes nothing', async () => {
    const file = path.join(dir, 'a.json');
    await saveWorkspace(file, ws('one'));
    await saveWorkspace(file, ws('two'));
    const future = JSON.stringify({ ...ws('x'), version: WORKSPACE_VERSION + 1 });
    writeFileSync(file, future);
    const r = await loadWorkspace(file);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostic.code).toBe('workspace.future-version');
    expect(readFileSync(file, 'utf8')).toBe(future);
    writeFileSync(file, JSON.stringify({ ...ws('x'), breakpoints: 'all' }));
    const bad = await loadWorkspace(file);
    expect(bad.ok ? '' : bad.diagnostic.message).toContain('workspace.breakpoints must be an array');
  });

  it('reports missing files and directories as errors', async () => {
    expect(await loadWorkspace(path.join(dir, 'none.json'))).toMatchObject({ ok: false, diagnostic: { code: 'workspace.missing' } });
    expect(await loadWorkspace(dir)).toMatchObject({ ok: false, diagnostic: { code: 'workspace.unreadable' } });
  });
});

describe('WorkspaceDir (browser mode)', () => {
  it('saves, lists and loads by name', async () => {
    const d = await WorkspaceDir.open(path.join(dir, 'ws'));
    expect(await d.list()).toEqual([]);
    expect(await d.save('first try', ws('1'))).toEqual({ ok: true, name: 'first try' });
    expect(await d.save('first try', ws('2'))).toEqual({ ok: true, name: 'first try' });
    expect(await d.list()).toEqual(['first try']);
    const r = await d.load('first try');
    expect(r.ok && marker(r.workspace)).toBe('2');
  });

  it('refuses names that are paths or could escape the directory, and planted symlinks', async () => {
    const d = await WorkspaceDir.open(path.join(dir, 'ws'));
    const secret = path.join(dir, 'secret.bpfdbg.json');
    writeFileSync(secret, printWorkspace(ws('secret')));
    for (const name of ['../secret', '..', '.hidden', 'a/b', 'a\\b', '/etc/passwd', 'a\0b', '', 'x'.repeat(101), '..%2fsecret', 'C:evil']) {
      expect((await d.save(name, ws('evil'))).ok, name).toBe(false);
      expect((await d.load(name)).ok, name).toBe(false);
    }
    symlinkSync(secret, path.join(d.directory, 'link.bpfdbg.json'));
    const viaLink = await d.load('link');
    expect(viaLink.ok).toBe(false);
    expect((await d.save('link', ws('overwrite'))).ok).toBe(false);
    expect(readFileSync(secret, 'utf8')).toBe(printWorkspace(ws('secret')));
    // Error messages name the workspace, not the host's directory.
    const missing = await d.load('nothing');
    expect(missing.ok ? '' : missing.diagnostic.message).not.toContain(d.directory);
  });

  it('creates its directory privately', async () => {
    const p = path.join(dir, 'deep', 'er');
    mkdirSync(path.join(dir, 'deep'));
    await WorkspaceDir.open(p);
    expect(existsSync(p)).toBe(true);
  });
});
