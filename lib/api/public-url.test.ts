import { afterEach, describe, expect, it } from 'vitest';
import { publicBaseUrl } from './public-url';

describe('publicBaseUrl', () => {
  const saved = { url: process.env.HEADWIKI_PUBLIC_URL, port: process.env.PORT };
  afterEach(() => {
    process.env.HEADWIKI_PUBLIC_URL = saved.url;
    process.env.PORT = saved.port;
    if (saved.url === undefined) delete process.env.HEADWIKI_PUBLIC_URL;
    if (saved.port === undefined) delete process.env.PORT;
  });

  it('is the configured address, normalised, else localhost on the served port', () => {
    process.env.HEADWIKI_PUBLIC_URL = 'https://Wiki.Example.org/headwiki/';
    expect(publicBaseUrl()).toBe('https://wiki.example.org/headwiki');
    delete process.env.HEADWIKI_PUBLIC_URL;
    process.env.PORT = '3140';
    expect(publicBaseUrl()).toBe('http://localhost:3140');
  });

  it('refuses what cannot be a base URL', () => {
    for (const bad of ['wiki.example.org', 'ftp://x.org', 'https://x.org/?a=1', 'https://u:p@x.org']) {
      process.env.HEADWIKI_PUBLIC_URL = bad;
      expect(() => publicBaseUrl()).toThrow(/HEADWIKI_PUBLIC_URL/);
    }
  });
});
