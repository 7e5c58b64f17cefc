export { runCli, type RunOptions } from './run-cli.ts';
export { ConfigError } from './config/config-error.ts';
export { renderRepository, synthesize, checkRepository } from './synth/synthesize.ts';
