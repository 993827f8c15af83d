// The engine's worker_threads entry: serves the protocol over parentPort, validating every message it receives.
import { parentPort, workerData } from 'node:worker_threads';
import { checkRequestMessage, type EngineMessage } from '../protocol';
import { EngineService } from './worker-dispatch';

const port = parentPort;
if (!port) throw new Error('engine/host/worker.ts must run as a worker_threads worker');

const send = (m: EngineMessage): void => port.postMessage(m);
const shared: unknown = (workerData as { cancel?: unknown } | undefined)?.cancel;
const service = new EngineService(send, shared instanceof SharedArrayBuffer ? new Int32Array(shared) : undefined);

port.on('message', (data: unknown) => {
  const checked = checkRequestMessage(data);
  if (!checked.ok) {
    const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
      send({ type: 'response', id, response: { kind: 'error', code: 'protocol.malformed', message: checked.error } });
    } else {
      send({ type: 'event', event: { kind: 'host-error', code: 'protocol.malformed', message: checked.error } });
    }
    return;
  }
  void service.handle(checked.value);
});
