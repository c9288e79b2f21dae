import { Effect, Layer } from "effect"
import { Setting } from "../../config.js"
import { Settings } from "../../domain/ports/Settings.js"
import { SlskdClient } from "./client.js"

/**
 * One call to slskd when the service starts, so an operator reads in the log at once whether
 * slskd is there, instead of finding out when the first download waits. Not through the
 * breaker: it says nothing about how slskd answers work.
 */
export const SlskdStartupProbeLive = Layer.scopedDiscard(Effect.gen(function*() {
  const client = yield* SlskdClient
  const settings = yield* Settings
  const probe = Effect.gen(function*() {
    const url = yield* settings.get(Setting.slskdUrl)
    yield* client.application.pipe(
      Effect.flatMap((app) => Effect.logInfo(`slskd reachable at ${url}` +
        `${app.version?.current ? `, version ${app.version.current}` : ""}`)),
      Effect.catchAll((e) => e.reason === "Unauthorized"
        ? Effect.logWarning(`slskd at ${url} refused the API key (401): set slskd.api_key (SOULSPOT_SLSKD_API_KEY) to a key from slskd's web.authentication.api_keys`)
        : Effect.logWarning(`slskd cannot be reached at ${url} (${e.message}); downloads wait until it answers. Check slskd.url (SOULSPOT_SLSKD_URL) in Settings`))
    )
  })
  yield* Effect.forkScoped(probe.pipe(Effect.withSpan("SlskdStartupProbe")))
}))
