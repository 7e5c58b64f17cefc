/** Parsers for option values, so a bad value is refused by commander with the flag named (exit 2). */
import { InvalidArgumentError } from 'commander';

/** A whole number of at least 1. */
export function positiveInteger(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return Number(value);
}

/** A number of seconds above 0 and at most `max`. */
export function seconds(max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || number <= 0 || number > max) throw new InvalidArgumentError(`expected seconds, above 0 and at most ${max}.`);
    return number;
  };
}

/** For a repeatable option: each value given, in order. */
export function repeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}
