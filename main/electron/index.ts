// The Electron main process: one locked-down window, the engine in a worker thread, validated IPC between them.
//
// The renderer is untrusted: it runs sandboxed with context isolation, loads only the packaged
// files, cannot navigate or open windows, and everything it sends over IPC is validated against
// the protocol before the engine sees it (and everything the engine sends back is validated too).
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  checkHostRequest, checkRequestMessage, encodeBase64, IPC_CHANNELS, IPC_HOST_CHANNEL,
  type EngineMessage, type Feature, type FileFormat, type HostMenuMessage, type HostResponse, type MenuMessage,
} from '../../engine/protocol';
import { WorkerClient } from '../../engine/host/worker-client';
import { menuTemplate } from './menu';
import { workerScriptPath } from './paths';
import { DesktopHost, type DialogOptions } from './desktop-host';
import { CONTENT_SECURITY_POLICY, isExternalLink, isTrustedRendererUrl, webPreferences } from './security';

// Tests (tests/e2e/electron.spec.ts) run the app against a fresh profile; must be set before 'ready'.
if (process.env.BPFDBG_USER_DATA) app.setPath('userData', path.resolve(process.env.BPFDBG_USER_DATA));

const MAX_RECENT = 10;
/** Files larger than this are refused before reading (the protocol's own limit is 64 MiB). */
const MAX_OPEN_BYTES = 64 * 1024 * 1024;

let win: BrowserWindow | undefined;
let engine: WorkerClient | undefined;
let features = new Set<Feature>();
let recent: string[] = [];
/** Ids of hello requests in flight: their answers carry the feature list the menu is built from. */
const helloIds = new Set<number>();
/** Program files main read for the user, by file name: the only paths a saved workspace may name. */
const programPaths = new Map<string, string>();

async function showOpen(o: DialogOptions): Promise<string | undefined> {
  if (!win) return undefined;
  const r = await dialog.showOpenDialog(win, { title: o.title, properties: ['openFile'], filters: o.filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })) });
  return r.canceled ? undefined : r.filePaths[0];
}

async function showSave(o: DialogOptions): Promise<string | undefined> {
  if (!win) return undefined;
  const r = await dialog.showSaveDialog(win, { title: o.title, ...(o.defaultName ? { defaultPath: o.defaultName } : {}), filters: o.filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })) });
  return r.canceled ? undefined : r.filePath;
}

let host: DesktopHost | undefined;

const recentFile = (): string => path.join(app.getPath('userData'), 'recent.json');

function workerScript(): string {
  return workerScriptPath(__dirname);
}

function rendererUrl(): { url?: string; file?: string } {
  const dev = process.env.ELECTRON_RENDERER_URL;
  if (!app.isPackaged && dev) return { url: dev };
  return { file: path.join(__dirname, '../renderer/index.html') };
}

/** Only our window's main frame, showing our renderer, may talk to main. */
function isOurFrame(e: IpcMainEvent | IpcMainInvokeEvent): boolean {
  if (!win || e.sender !== win.webContents) return false;
  const frame = e.senderFrame;
  // Top-level frame only (a subframe has a parent); compared by structure, not object identity.
  if (!frame || frame.parent !== null) return false;
  return isTrustedRendererUrl(frame.url, { rendererDir: path.join(__dirname, '../renderer'), devUrl: process.env.ELECTRON_RENDERER_URL, packaged: app.isPackaged });
}

function send(contents: WebContents | undefined, channel: string, message: EngineMessage | MenuMessage | HostMenuMessage): void {
  if (contents && !contents.isDestroyed()) contents.send(channel, message);
}

function rebuildMenu(): void {
  const template = menuTemplate(
    { features, recent, recentWorkspaces: host?.recent ?? [], isMac: process.platform === 'darwin', devTools: !app.isPackaged },
    {
      open: (format) => void openWithDialog(format),
      openRecent: (file) => void openFile(file, 'auto'),
      clearRecent: () => {
        recent = [];
        void saveRecent();
      },
      command: (command) => send(win?.webContents, IPC_CHANNELS.menu, { command }),
      host: (message) => send(win?.webContents, IPC_CHANNELS.menu, message),
      clearRecentWorkspaces: () => void host?.clearRecent(),
    },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function loadRecent(): Promise<void> {
  try {
    const data: unknown = JSON.parse(await readFile(recentFile(), 'utf8'));
    recent = Array.isArray(data) ? data.filter((x): x is string => typeof x === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    recent = [];
  }
}

async function saveRecent(): Promise<void> {
  rebuildMenu();
  try {
    await writeFile(recentFile(), JSON.stringify(recent));
  } catch {
    // A read-only profile only loses the recent list; the app keeps working.
  }
}

const FILTERS: Readonly<Record<FileFormat, Electron.FileFilter[]>> = {
  auto: [{ name: 'BPF programs', extensions: ['o', 'bpf', 's', 'asm', 'bin', 'img'] }, { name: 'All files', extensions: ['*'] }],
  object: [{ name: 'ELF BPF objects', extensions: ['o'] }, { name: 'All files', extensions: ['*'] }],
  asm: [{ name: 'Assembly', extensions: ['s', 'asm', 'txt'] }, { name: 'All files', extensions: ['*'] }],
  raw: [{ name: 'Raw bytecode', extensions: ['bin', 'bpf', 'raw'] }, { name: 'All files', extensions: ['*'] }],
  image2013: [{ name: '2013-dialect images', extensions: ['img', 'bin'] }, { name: 'All files', extensions: ['*'] }],
};

async function openWithDialog(format: FileFormat): Promise<void> {
  if (!win) return;
  const r = await dialog.showOpenDialog(win, { properties: ['openFile'], filters: FILTERS[format] });
  if (!r.canceled && r.filePaths[0]) await openFile(r.filePaths[0], format);
}

/** Reads a file the user chose and hands it to the renderer, which opens it through the engine like any other file. */
async function openFile(file: string, format: FileFormat): Promise<void> {
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_OPEN_BYTES) throw new Error(`the file is ${bytes.length} bytes; the limit is ${MAX_OPEN_BYTES}`);
    programPaths.set(path.basename(file), file);
    send(win?.webContents, IPC_CHANNELS.menu, { command: 'open-file', name: path.basename(file), base64: encodeBase64(bytes), format });
    recent = [file, ...recent.filter((f) => f !== file)].slice(0, MAX_RECENT);
    app.addRecentDocument(file);
    await saveRecent();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    send(win?.webContents, IPC_CHANNELS.event, { type: 'event', event: { kind: 'host-error', code: 'host.open-failed', message: `Could not open ${file}: ${message}` } });
  }
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'bpfdbg',
    backgroundColor: '#1e1f22',
    webPreferences: webPreferences(path.join(__dirname, '../preload/index.js')),
  });
  const contents = win.webContents;
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app.
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => {
    win = undefined;
  });
  const target = rendererUrl();
  if (target.url) void win.loadURL(target.url);
  else if (target.file) void win.loadFile(target.file);
}

function startEngine(): void {
  engine = new WorkerClient({ script: workerScript() });
  engine.onMessage((m) => {
    if (m.type === 'response' && helloIds.delete(m.id) && m.response.kind === 'hello') {
      features = new Set(m.response.features);
      rebuildMenu();
    }
    send(win?.webContents, IPC_CHANNELS.event, m);
  });
}

ipcMain.on(IPC_CHANNELS.request, (e, data: unknown) => {
  if (!isOurFrame(e)) return;
  const checked = checkRequestMessage(data);
  if (!checked.ok) {
    send(e.sender, IPC_CHANNELS.event, { type: 'event', event: { kind: 'host-error', code: 'protocol.malformed', message: checked.error } });
    return;
  }
  if (checked.value.request.kind === 'hello') helloIds.add(checked.value.id);
  engine?.post(checked.value);
});

// Host requests (workspaces, exports): answered here, never forwarded to the engine.
ipcMain.handle(IPC_HOST_CHANNEL, async (e, data: unknown): Promise<HostResponse> => {
  if (!isOurFrame(e)) return { kind: 'error', code: 'host.untrusted-sender', message: 'refused: not the application window' };
  const checked = checkHostRequest(data);
  if (!checked.ok) return { kind: 'error', code: 'protocol.malformed', message: checked.error };
  if (!host) return { kind: 'error', code: 'host.not-ready', message: 'the application is still starting' };
  try {
    return await host.answer(checked.value);
  } catch (err) {
    return { kind: 'error', code: 'host.internal', message: err instanceof Error ? err.message : String(err) };
  }
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (ev) => ev.preventDefault());
  contents.on('will-navigate', (ev) => ev.preventDefault());
  // Page-initiated navigation of any frame (loadFile/loadURL from main are not page-initiated).
  contents.on('will-frame-navigate', (ev) => ev.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // The same policy as the page's meta tag, as a header, for everything the session loads.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
  await loadRecent();
  host = new DesktopHost({
    userData: app.getPath('userData'),
    showOpen,
    showSave,
    programPath: (name) => programPaths.get(name),
    rememberProgram: (name, file) => void programPaths.set(name, file),
    onRecentChanged: rebuildMenu,
  });
  await host.loadRecent();
  rebuildMenu();
  startEngine();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}).catch((e: unknown) => {
  dialog.showErrorBox('bpfdbg failed to start', e instanceof Error ? e.message : String(e));
  app.quit();
});

app.on('window-all-closed', () => {
  void engine?.close();
  engine = undefined;
  app.quit();
});
