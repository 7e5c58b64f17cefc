#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader: no type-checking at run time.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
