/** Seeded random choices for generated test inputs: the same numbers for the same seed everywhere, so a failing input is found again. */

/** Random choices from a xorshift32 generator seeded with `seed`. */
export function seededRandom(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { int, pick: <T>(list: readonly T[]): T => list[int(list.length)] as T, chance: (p: number) => next() < p };
}
