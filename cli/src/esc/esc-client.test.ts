import { Configuration, EscApi } from '@pulumi/esc-sdk';
import { describe, expect, it } from 'vitest';
import { EscClient } from './esc-client.ts';

const settings = {
  organization: 'acme',
  project: 'p',
  environment: 'e',
  url: 'http://127.0.0.1:8123',
  tokenVariable: 'PULUMI_ACCESS_TOKEN',
  prefix: 'm',
  images: {},
  appEnvironments: {},
};

describe('EscClient', () => {
  it('keeps the API port that the SDK constructor drops', () => {
    // The quirk, as @pulumi/esc-sdk 0.12.4 has it: the port is gone.
    expect(new EscApi(new Configuration({ accessToken: 't', basePath: settings.url })).config.basePath).toBe('http://127.0.0.1/api/esc');
    expect(new EscClient(settings, { PULUMI_ACCESS_TOKEN: 't' }).basePath).toBe('http://127.0.0.1:8123/api/esc');
    expect(new EscClient({ ...settings, url: 'https://pulumi.acme.example/' }, { PULUMI_ACCESS_TOKEN: 't' }).basePath).toBe(
      'https://pulumi.acme.example/api/esc',
    );
  });

  it('takes the token only from the named variable, never from ~/.pulumi or a default service', () => {
    expect(() => new EscClient(settings, { PULUMI_HOME: 'a-pulumi-home-with-credentials' })).toThrow('no Pulumi access token: PULUMI_ACCESS_TOKEN is not set');
    expect(() => new EscClient({ ...settings, tokenVariable: 'ESC_TOKEN' }, { PULUMI_ACCESS_TOKEN: 't' })).toThrow('ESC_TOKEN is not set');
  });
});
