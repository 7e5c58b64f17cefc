/**
 * Pin files parsed on a worker thread while the main thread renders: a run that finds no entry
 * parses from an earlier run (a first run, or a cold cache) parses every entry of every environment's
 * images.yaml, 2,000 to 10,000 entries each, a tenth of its work. The main thread parses the first
 * environment's pins itself and renders it while the worker parses the others' in the run's order;
 * when it reaches the next environment, that one's parses are there (it waits for them otherwise).
 * Tests, `--no-cache` and a worker that fails leave every parse to the main thread, with the same
 * result: a parse depends on the entry's text alone (see yaml-entries.ts).
 */
import { type MessagePort, Worker } from 'node:worker_threads';
import { type EntryParses, parseFileEntries } from './yaml-entries.ts';

/** One pin file for the worker: its path (the key its parses are asked for by) and its text. */
export interface PinFile {
  readonly file: string;
  readonly text: string;
}

/** What the worker says of a file: its entries parsed, or undefined when it must be parsed whole. */
interface PinParseReply {
  readonly file: string;
  readonly parses: EntryParses | undefined;
}

/** The pin files of one run parsed on a worker, by file. */
export class PinParses {
  private readonly replies = new Map<string, Promise<EntryParses | undefined>>();
  private readonly unanswered = new Map<string, (parses: EntryParses | undefined) => void>();
  private worker?: Worker;

  private constructor() {}

  /** Parses `files` on a worker running `script` (a module URL that calls {@link servePinParses}); none without a script or files. */
  static start(script: string | undefined, files: readonly PinFile[]): PinParses {
    const parses = new PinParses();
    if (script && files.length > 0) parses.startWorker(script, files);
    return parses;
  }

  /** The parses of `file`, when the worker was given it (undefined: parse it here). */
  of(file: string): Promise<EntryParses | undefined> | undefined {
    return this.replies.get(file);
  }

  /** Stops the worker: a file it did not parse is parsed on the main thread. */
  close(): void {
    void this.worker?.terminate();
    this.leaveRest();
  }

  private startWorker(script: string, files: readonly PinFile[]): void {
    for (const { file } of files) this.replies.set(file, new Promise((resolve) => this.unanswered.set(file, resolve)));
    const worker = new Worker(new URL(script), { workerData: files });
    // The process never waits for parses it no longer needs.
    worker.unref();
    worker.on('message', ({ file, parses }: PinParseReply) => {
      this.unanswered.get(file)?.(parses);
      this.unanswered.delete(file);
    });
    // A worker that fails leaves its files to the main thread (an error there is reported as usual).
    worker.on('error', () => this.leaveRest());
    worker.on('exit', () => this.leaveRest());
    this.worker = worker;
  }

  private leaveRest(): void {
    this.worker = undefined;
    for (const answer of this.unanswered.values()) answer(undefined);
    this.unanswered.clear();
  }
}

/** The worker's side: parses each of `files` in order and answers on `port`. */
export function servePinParses(port: MessagePort, files: readonly PinFile[]): void {
  for (const { file, text } of files) port.postMessage({ file, parses: parseFileEntries(text) } satisfies PinParseReply);
}
