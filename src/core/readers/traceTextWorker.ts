// A worker thread that parses chunks of trace text (traceTextChunks.ts) one at a time, in the order they come, and
// sends each back, its rows in the chunk's slot of shared memory. Its string table lives as long as the worker.
import { parentPort } from 'node:worker_threads';
import { ChunkParser, postedChunk, type ChunkSlot, type TextWorkerMessage } from './traceTextChunks';

const port = parentPort;
if (port) {
  const parser = new ChunkParser();
  let slots: ChunkSlot[] = [];
  port.on('message', (m: TextWorkerMessage) => {
    if ('slots' in m) {
      slots = m.slots;
      return;
    }
    const { message, transfer } = postedChunk(parser.parse({ ...m, slot: slots[m.slot] }));
    port.postMessage(message, transfer);
  });
}
