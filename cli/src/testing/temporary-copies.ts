/** Test helper: writable copies of the example repository, removed after each test. */
import { afterEach } from 'vitest';
import { exampleCopy } from './run-command.ts';

/** Registers removal after each test and returns a function that makes a new copy. */
export function exampleCopies(): () => Promise<string> {
  const removals: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const remove of removals.splice(0)) await remove();
  });
  return async () => {
    const { root, remove } = await exampleCopy();
    removals.push(remove);
    return root;
  };
}
