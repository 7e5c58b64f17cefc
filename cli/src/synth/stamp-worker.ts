/** The module a stamp-check worker thread runs (see stamp-checks.ts): it checks the stamps it is given and answers. */
import { parentPort, workerData } from 'node:worker_threads';
import { type StampWorkerData, serveStampChecks } from './stamp-checks.ts';

if (parentPort) await serveStampChecks(parentPort, workerData as StampWorkerData);
