export { ConfigError } from './errors/config-error.ts';
export { type RunOptions, runCli } from './run-cli.ts';
export { checkRepository, renderRepository, synthesize } from './synth/synthesize.ts';
