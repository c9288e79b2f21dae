/**
 * A cap on open event streams, per client address and in total: each stream holds a socket
 * and a subscription, so thousands of them would exhaust the process. Beyond the cap a new
 * stream gets a 503 (EventSource tries again later), the open ones carry on.
 */
import type { HttpServerRequest } from "@effect/platform"
import { Effect, Either } from "effect"
import { ServerConfig } from "../config.js"
import { clientAddress } from "./client-address.js"

const isLoopbackAddress = (address: string) => /^127\./.test(address) || address === "::1"

export type StreamRefusal = { readonly scope: "client" | "total"; readonly limit: number }

export class EventStreamCap extends Effect.Service<EventStreamCap>()("soulspot/EventStreamCap", {
  effect: Effect.gen(function*() {
    const { maxEventStreams, maxEventStreamsPerClient, trustedProxies } = yield* ServerConfig
    const perClient = new Map<string, number>()
    let total = 0

    const release = (address: string) => Effect.sync(() => {
      total--
      const n = (perClient.get(address) ?? 1) - 1
      if (n <= 0) perClient.delete(address)
      else perClient.set(address, n)
    })

    return {
      /** A slot for one stream (its release to run when the stream ends), or why there is none. */
      reserve: (request: HttpServerRequest.HttpServerRequest) => Effect.sync((): Either.Either<Effect.Effect<void>, StreamRefusal> => {
        const address = clientAddress(request, trustedProxies)
        const mine = perClient.get(address) ?? 0
        // Loopback is a local reverse proxy or local tools: many users behind one address, so only the total applies.
        if (mine >= maxEventStreamsPerClient && !isLoopbackAddress(address)) return Either.left({ scope: "client", limit: maxEventStreamsPerClient })
        if (total >= maxEventStreams) return Either.left({ scope: "total", limit: maxEventStreams })
        total++
        perClient.set(address, mine + 1)
        return Either.right(release(address))
      }),
      open: Effect.sync(() => total)
    } as const
  })
}) {}
