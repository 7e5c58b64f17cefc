#!/usr/bin/env node
// The Node.js lines package.json's engines names besides the default one (.node-version), as a JSON
// array: what CI runs the smoke tests (pnpm test:smoke) on. Written for engines of the form
// "^22.12.0 || ^24.0.0 || >=26.0.0": each comparator's major is a line.
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const range = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).engines.node;
const defaultLine = readFileSync(new URL('.node-version', root), 'utf8').trim();
const lines = [...range.matchAll(/(\d+)\.\d+\.\d+/g)].map((match) => match[1]).filter((line) => line !== defaultLine);
process.stdout.write(`${JSON.stringify(lines)}\n`);
