/**
 * Loads an app the launcher compiled (see bundle-cache.mjs): its module holds a few hundred apps, and
 * maps each app's entry file to a function that evaluates that app alone and resolves to its exports.
 */

/**
 * The exports of the app whose entry file is `file` (relative to the repository root), from the
 * compiled module at `url`; the app's code runs now, once.
 */
export async function importCompiledApp(url, file) {
  const { default: apps } = await import(url);
  return await apps[file]();
}
