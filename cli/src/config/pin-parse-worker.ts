/** The module a pin-parse worker thread runs (see pin-parses.ts): it parses the pin files it is given and answers. */
import { parentPort, workerData } from 'node:worker_threads';
import { type PinFile, servePinParses } from './pin-parses.ts';

if (parentPort) servePinParses(parentPort, workerData as PinFile[]);
