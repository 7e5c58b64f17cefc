// A render worker of synth: loads the compiled bundle the main thread runs and renders the
// environments it is sent (see cli/src/synth/render-workers.ts).
import { parentPort, workerData } from 'node:worker_threads';

// Errors an app throws are located in its TypeScript source, as in the main thread.
process.setSourceMapsEnabled(true);

const { serveRenders, appModules } = await import(workerData.bundle);
await serveRenders(parentPort, workerData, async (file) => appModules.get(file)?.());
