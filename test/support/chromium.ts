/**
 * Debian's chromium for playwright-core (no downloaded browser): the browser tests and the
 * page-paint bench launch it the same way. Kept apart from browser.ts, which loads the app.
 */
import { type Browser, chromium } from "playwright-core"

export const CHROMIUM = "/usr/bin/chromium"

/** A headless chromium with its own fresh profile (launch makes a temporary one), no network extras. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"
    ]
  })
