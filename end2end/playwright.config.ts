// Playwright for Octoscope: Debian's chromium (never a downloaded browser), the console binary
// started by `webServer`, backends started by `cargo xtask test` (which exports the variables below).
import { defineConfig, devices } from '@playwright/test';

const port = process.env.OCTOSCOPE_E2E_PORT ?? '3100';
const baseURL = process.env.BASE_URL ?? `http://127.0.0.1:${port}`;

// Without the networking flags chromium stalls on machines with no internet access.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const chromium = {
  ...devices['Desktop Chrome'],
  launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
};

// A phone: 390 × 844 CSS pixels, touch, mobile viewport rules (tests/phone.spec.ts).
const phone = {
  ...chromium,
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  // A missing element fails the action in 15 s with its locator, not the whole test at its timeout.
  use: { baseURL, trace: 'retain-on-failure', actionTimeout: 15_000, navigationTimeout: 30_000 },
  // The order is part of the configuration, so `npx playwright test` alone runs it right:
  // journeys tagged @fresh need a young demo history (SLO windows dominated by their incident) and
  // run first; those tagged @destructive stop a backend (the first Alertmanager) and run last.
  projects: [
    { name: 'fresh', use: chromium, grep: /@fresh/, testIgnore: /no_js\.spec\.ts|phone\.spec\.ts/ },
    { name: 'chromium', use: chromium, grepInvert: /@fresh|@destructive/, testIgnore: /no_js\.spec\.ts|phone\.spec\.ts/, dependencies: ['fresh'] },
    { name: 'chromium-no-js', use: { ...chromium, javaScriptEnabled: false }, testMatch: /no_js\.spec\.ts/, dependencies: ['fresh'] },
    { name: 'phone', use: phone, testMatch: /phone\.spec\.ts|demo_incident\.spec\.ts/, dependencies: ['fresh'] },
    { name: 'destructive', use: chromium, grep: /@destructive/, testIgnore: /no_js\.spec\.ts|phone\.spec\.ts/, dependencies: ['chromium', 'chromium-no-js', 'phone'] },
  ],
  webServer: [{
    command: process.env.OCTOSCOPE_BIN ?? '../target/debug/octoscope serve',
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      OCTOSCOPE_LISTEN: `127.0.0.1:${port}`,
      OCTOSCOPE_LOG_FORMAT: 'pretty',
      OCTOSCOPE_LOG: 'warn',
      // The demo's anonymous user may write silences (writes need the editor role).
      OCTOSCOPE_AUTH_ANONYMOUS_ROLE: 'editor',
      // The embedding spec's portal (tests/embedding.spec.ts) serves from the next port.
      OCTOSCOPE_EMBEDDING_ALLOWED_ORIGINS: `http://127.0.0.1:${Number(port) + 1}`,
    },
  }, {
    // A second console in basic mode (users in fixtures/auth/users) for tests/auth.spec.ts.
    command: process.env.OCTOSCOPE_BIN ?? '../target/debug/octoscope serve',
    url: `http://127.0.0.1:${Number(port) + 2}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      OCTOSCOPE_LISTEN: `127.0.0.1:${Number(port) + 2}`,
      OCTOSCOPE_LOG_FORMAT: 'pretty',
      OCTOSCOPE_LOG: 'warn',
      OCTOSCOPE_AUTH_MODE: 'basic',
      OCTOSCOPE_AUTH_USERS_FILE: 'fixtures/auth/users',
      OCTOSCOPE_SESSION_KEY: 'end2end-only-session-key-0123456789abcdef',
    },
  }],
});
