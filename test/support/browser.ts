/**
 * Browser tests: Debian's chromium driven by playwright-core (no downloaded browser), against
 * the whole service running on REAL time in this process (a browser cannot move a TestClock):
 * workers on, SQLite in a temporary file, slskd simulated on 127.0.0.1 with quick timings.
 */
import { HttpServer } from "@effect/platform"
import { ConfigProvider, Context, Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import { existsSync, mkdirSync } from "node:fs"
import type { Browser, Page } from "playwright-core"
import { AppLayer } from "../../src/App.js"
import { httpServerLayer } from "../../src/launch.js"
import { makeSimulator, type SimulatorOptions, type SimulatorTimings, type SlskdSimulatorHandle } from "../../src/dev/slskd-simulator/index.js"
import { CHROMIUM } from "./chromium.js"
import { tempDbFile } from "./db.js"

export { CHROMIUM, launchChromium } from "./chromium.js"

/**
 * Why the browser tests cannot run here, or undefined when they can. Only a machine without
 * chromium and outside CI may skip them; in CI (CI=true) a missing browser is a failure.
 */
export const browserSkipReason = (): string | undefined =>
  existsSync(CHROMIUM) || process.env["CI"] === "true"
    ? undefined
    : `${CHROMIUM} is not installed (apt-get install chromium); browser tests skipped outside CI`

/** A track of the seeded catalog completes within a few seconds of real time with these. */
export const QUICK_SIMULATOR_TIMINGS: Partial<SimulatorTimings> = {
  searchResponseWindowMs: 300,
  searchDurationMs: 800,
  endedAtDelayMs: 100,
  queuedLocallyMs: 50,
  requestedMs: 50,
  remoteQueueMs: 50,
  remoteQueuePerPlaceMs: 20,
  initializingMs: 50,
  speedFactor: 20
}

/** Short intervals so the engine reacts in seconds (environment values; nothing stored). */
export const QUICK_SETTINGS: Readonly<Record<string, string>> = {
  SOULSPOT_SEARCH_TIMEOUT: "5 seconds",
  SOULSPOT_SYNC_INTERVAL: "1 second",
  SOULSPOT_DISPATCH_INTERVAL: "2 seconds",
  SOULSPOT_BREAKER_RECOVERY_TIMEOUT: "3 seconds",
  SOULSPOT_RETRY_BASE_DELAY: "2 seconds"
}

export interface LiveApp {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string
  readonly sim: SlskdSimulatorHandle
  /** Runs an effect against the running service (its repositories, breaker, ...). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, any>) => Promise<A>
  readonly close: () => Promise<void>
}

/** The real service (AppLayer, workers on) on 127.0.0.1 port 0 against a fresh simulator. */
export const startLiveApp = async (
  options: { readonly timings?: Partial<SimulatorTimings>; readonly env?: Record<string, string>; readonly simulator?: Partial<SimulatorOptions>; readonly db?: string } = {}
): Promise<LiveApp> => {
  const scope = Effect.runSync(Scope.make())
  const quiet = Logger.minimumLogLevel(LogLevel.Error)
  try {
    const started = await Effect.runPromise(Effect.gen(function*() {
      const sim = yield* makeSimulator({ timings: options.timings ?? QUICK_SIMULATOR_TIMINGS, ...options.simulator })
      const env = { SOULSPOT_SLSKD_URL: sim.url, SOULSPOT_SLSKD_API_KEY: sim.apiKey ?? "", ...QUICK_SETTINGS, ...options.env }
      const app = AppLayer({ db: options.db ?? tempDbFile(), workers: true }).pipe(
        Layer.provideMerge(httpServerLayer({ port: 0, host: "127.0.0.1" })),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))),
        Layer.provide(quiet)
      )
      const context = yield* Layer.build(app)
      const address = Context.get(context, HttpServer.HttpServer).address
      if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("expected a TCP address")
      return { sim, context, url: `http://127.0.0.1:${address.port}` }
    }).pipe(Effect.provide(quiet), Scope.extend(scope)))
    return {
      url: started.url,
      sim: started.sim,
      run: (effect) => Effect.runPromise(Effect.provide(effect, started.context) as Effect.Effect<any, any, never>),
      close: () => Effect.runPromise(Scope.close(scope, Exit.void))
    }
  } catch (e) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    throw e
  }
}

/** Where screenshots go (ignored by git). */
export const resultsDir = (): string => {
  mkdirSync("test-results", { recursive: true })
  return "test-results"
}

/** A new page at `url` once htmx has loaded, with every console error it logs collected. */
export const openPage = async (browser: Browser, url: string): Promise<{ page: Page; consoleErrors: Array<string> }> => {
  const page = await browser.newPage()
  const consoleErrors: Array<string> = []
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()) })
  await page.goto(url)
  await page.waitForFunction(() => (window as unknown as { htmx?: unknown }).htmx !== undefined)
  return { page, consoleErrors }
}
