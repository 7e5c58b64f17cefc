export { ConfigError } from './config/config-error.ts';
export { renderRepository, synthesize, checkRepository } from './synth/synthesize.ts';
