export { ConfigError } from './config/config-error.ts';
export { type RunOptions, runCli } from './run-cli.ts';
export { checkRepository, renderRepository, synthesize } from './synth/synthesize.ts';
