import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Servers under test take free ports; parallel test files must not fight over 8765.
    env: { AP_DASHBOARD_PORT: '0' },
    reporters: ['default'],
  },
});
