// The screen's build emits no source maps (they carry the whole source, and browser mode serves
// the build folder) unless a developer asks for a development build.
import { describe, expect, it } from 'vitest';
import type { ConfigEnv, UserConfig, UserConfigFnObject } from 'vite';
import config from '../../../vite.config.ts';

function resolved(mode: string): UserConfig {
  const env: ConfigEnv = { command: 'build', mode, isSsrBuild: false, isPreview: false };
  return typeof config === 'function' ? ((config as UserConfigFnObject)(env) as UserConfig) : (config as UserConfig);
}

describe('vite.config.ts', () => {
  it('a production build (npm run build, npm run serve, the end-to-end build) has no source maps', () => {
    expect(resolved('production').build?.sourcemap).toBe(false);
  });

  it('a development build may have them', () => {
    expect(resolved('development').build?.sourcemap).toBe(true);
  });
});
