// Test helper for workspace-store.test.ts: saves a workspace and kills its own process at a chosen point of the save.
//
// argv: FILE MARKER. The process dies by SIGKILL (no cleanup, no finally blocks, like a power cut for
// this process) after the temporary file is written and synced but before it replaces FILE.
import { emptyWorkspace } from '../../engine/session/workspace-file';
import { saveWorkspace } from './workspace-store';

const [file, marker] = process.argv.slice(2);
const workspace = { ...emptyWorkspace(), watches: [marker] };
void saveWorkspace(file, workspace, {
  beforeRename: () => {
    process.kill(process.pid, 'SIGKILL');
    // SIGKILL is delivered before this returns; never reached.
    return new Promise<void>(() => undefined);
  },
});
