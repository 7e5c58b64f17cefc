/** Parsers for option values, so a bad value is refused by commander with the flag named (exit 2). */
import { ImageRef, InvalidImageRefError, type TaggedImageRef } from '@manifold/constructs/core';
import { InvalidArgumentError } from 'commander';
import { ArgumentError } from '../errors/manifold-error.ts';

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

/** `value` as an image reference with a tag (and maybe a digest); an {@link ArgumentError} naming `argument` otherwise. */
export function taggedImageRef(value: string, argument: string): TaggedImageRef {
  try {
    return ImageRef.parseTagged(value);
  } catch (error) {
    if (error instanceof InvalidImageRefError) throw new ArgumentError(argument, error.message, error.hint);
    throw error;
  }
}
