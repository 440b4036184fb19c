import { readFileSync } from 'node:fs';

/** Set by the bundler for the bundled built-in worker, which has no package.json beside it. */
declare const __AP_VERSION__: string | undefined;

/** The package version, read once from package.json next to dist/. */
export const serverVersion: string = (() => {
  if (typeof __AP_VERSION__ === 'string') return __AP_VERSION__;
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
