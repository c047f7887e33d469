// A worker thread that parses chunks of trace text (traceTextChunks.ts) one at a time, in the order they come, and
// sends each back with its typed columns transferred. Its string table lives as long as the worker.
import { parentPort } from 'node:worker_threads';
import { StringTable, chunkTransferList, parseTextChunk, type TextChunkRequest } from './traceTextChunks';

const port = parentPort;
if (port) {
  const strings = new StringTable();
  port.on('message', (req: TextChunkRequest) => {
    const parsed = parseTextChunk(req, strings);
    port.postMessage(parsed, chunkTransferList(parsed));
  });
}
