// Browser mode's answers to host requests: workspaces by name inside the one directory the web host controls.
//
// The page is as untrusted here as anywhere: names go through WorkspaceDir (no paths, no links), and
// a workspace's program `path` is never read in browser mode (a planted workspace must not turn the
// web host into a file reader); only the embedded copy is used.
import type { HostRequest, HostResponse } from '../../engine/protocol';
import { AUTOSAVE_NAME, WorkspaceDir } from './workspace-store';

export interface WebHostRequestState {
  /** The workspace last saved or opened by name on this connection ('current' saves go there). */
  current?: string;
}

const unavailable: HostResponse = {
  kind: 'error',
  code: 'workspace.unavailable',
  message: 'Workspaces are off in this browser-mode session: start the web host with --workspaces DIR (or BPFDBG_WORKSPACES=DIR) to save and restore them.',
};

export async function answerHostRequest(dir: WorkspaceDir | undefined, request: HostRequest, state: WebHostRequestState): Promise<HostResponse> {
  if (request.kind === 'export.save') {
    return { kind: 'error', code: 'export.browser', message: 'In browser mode the page downloads exports itself.' };
  }
  if (!dir) return unavailable;
  switch (request.kind) {
    case 'workspace.list':
      return { kind: 'workspace.list', names: (await dir.list()).filter((n) => n !== AUTOSAVE_NAME), ...(state.current ? { current: state.current } : {}) };
    case 'workspace.save': {
      const name = request.to === 'autosave' ? AUTOSAVE_NAME : request.to === 'current' ? (request.name ?? state.current) : request.name;
      if (!name) return { kind: 'error', code: 'workspace.no-name', message: 'Give the workspace a name to save it.' };
      if (request.to !== 'autosave' && name === AUTOSAVE_NAME) return { kind: 'error', code: 'workspace.reserved-name', message: `"${AUTOSAVE_NAME}" is reserved for the automatic save; choose another name.` };
      const r = await dir.save(name, request.workspace);
      if (!r.ok) return { kind: 'error', code: 'workspace.save-failed', message: r.message };
      if (request.to !== 'autosave') state.current = name;
      return { kind: 'workspace.saved', name };
    }
    case 'workspace.open': {
      const name = request.from === 'autosave' ? AUTOSAVE_NAME : request.name;
      if (!name) return { kind: 'error', code: 'workspace.no-name', message: 'Choose a workspace to open.' };
      const r = await dir.load(name);
      if (!r.ok) return { kind: 'error', code: r.diagnostic.code, message: r.diagnostic.message };
      const notes = r.recovered ? [r.recovered] : [];
      let workspace = r.workspace;
      const p = workspace.program;
      if (p?.path !== undefined) {
        // Keep the embedded copy only: browser mode reads no paths.
        const { path: _path, ...rest } = p;
        if (rest.base64 === undefined) {
          notes.push(`${p.name} is referenced by its path on disk, which browser mode does not read; open the file again.`);
          const { program: _program, ...noProgram } = workspace;
          workspace = noProgram;
        } else {
          workspace = { ...workspace, program: rest };
        }
      }
      if (request.from !== 'autosave') state.current = name;
      return { kind: 'workspace.opened', name, workspace, notes };
    }
  }
}
