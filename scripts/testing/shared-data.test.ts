import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { sharedDataPath, withoutSharedData } from './shared-data';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-shared-data-'));
fs.mkdirSync(path.join(dir, 'models/present'), { recursive: true });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

describe('tests that need ../shared/data', () => {
  it('run when the data is there', () => {
    vi.stubEnv('HEADWIKI_SHARED_DATA', dir);
    vi.stubEnv('CI', '');
    expect(withoutSharedData('models/present')).toBe(false);
    expect(sharedDataPath('models/present')).toBe(path.join(dir, 'models/present'));
  });

  it('skip, saying what is missing, outside CI', () => {
    vi.stubEnv('HEADWIKI_SHARED_DATA', dir);
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(withoutSharedData('models/present', 'models/absent')).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(path.join(dir, 'models/absent')));
    expect(warn.mock.calls[0][0]).not.toContain('models/present');
    vi.stubEnv('HEADWIKI_SHARED_DATA', path.join(dir, 'no-such-folder'));
    expect(withoutSharedData('models/present')).toBe(true);
    warn.mockRestore();
  });

  it('never skip in CI: the test then fails with a message naming the folder', () => {
    vi.stubEnv('HEADWIKI_SHARED_DATA', path.join(dir, 'no-such-folder'));
    vi.stubEnv('CI', 'true');
    expect(withoutSharedData('models/present')).toBe(false);
    expect(() => sharedDataPath('models/present')).toThrow(`This test needs the shared data folder ${path.join(dir, 'no-such-folder')}`);
  });
});
