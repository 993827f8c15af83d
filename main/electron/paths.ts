// Where the packaged app's files are: the engine worker lives outside the asar archive.
import path from 'node:path';

/**
 * The worker script beside index.js, moved from app.asar to app.asar.unpacked when packaged: Node
 * cannot start a worker_threads worker from inside an asar archive, so electron-builder.yml unpacks
 * out/main/** (asarUnpack). Unpackaged (dev, tests), the path is unchanged.
 */
export function workerScriptPath(mainDir: string): string {
  return path.join(mainDir.replace(/app\.asar(?=[\\/]|$)/, 'app.asar.unpacked'), 'worker.js');
}
