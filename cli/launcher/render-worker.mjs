// A render worker of synth: loads the compiled bundle the main thread runs and renders the apps
// it is sent, in the environments named with each (see cli/src/synth/render-workers.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { importCompiledApp } from './compiled-app.mjs';

const { serveRenders } = await import(workerData.bundle);
const { appModules } = workerData;
await serveRenders(parentPort, workerData, async (file) => {
  if (!appModules[file]) return undefined;
  // Errors an app throws are located in its TypeScript source, as in the main thread.
  process.setSourceMapsEnabled(true);
  return importCompiledApp(appModules[file], file);
});
