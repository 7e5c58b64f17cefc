/** How YAML 1.1 (kyaml's reading of a plain scalar) types a value. */
import { isScalar, parseDocument } from 'yaml';

/** Base-60 numbers, which kyaml keeps as strings although YAML 1.1 reads them as numbers. */
const SEXAGESIMAL = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/;

/** True when YAML 1.1 reads `value` as something other than a string (as kyaml decides it). */
export function isYaml11NonString(value: string): boolean {
  if (SEXAGESIMAL.test(value)) return false;
  if (/^[-+]?0o[0-7_]+$/.test(value)) return true;
  const document = parseDocument(value, { version: '1.1' });
  return document.errors.length === 0 && isScalar(document.contents) && typeof document.contents.value !== 'string';
}
