// A worker thread that parses chunks of trace text (traceTextChunks.ts) one at a time, in the order they come, and
// sends each back with its typed arrays transferred. Its string table lives as long as the worker.
import { parentPort } from 'node:worker_threads';
import { ChunkParser, chunkTransferList, type TextChunkRequest } from './traceTextChunks';

const port = parentPort;
if (port) {
  const parser = new ChunkParser();
  port.on('message', (req: TextChunkRequest) => {
    const parsed = parser.parse(req);
    port.postMessage(parsed, chunkTransferList(parsed));
  });
}
