import { FetchHttpClient, HttpClient } from "@effect/platform"
import { expect } from "@effect/vitest"
import { Effect, Exit, type Scope } from "effect"
import { DeliveryError } from "../../../src/domain/ports/NotificationSender.js"
import { makeReceiver, type Receiver } from "../../support/receiver.js"

/** A fresh recording receiver and a real fetch client (redirects as the senders set them). */
export const withReceiver = <A, E>(f: (r: Receiver, http: HttpClient.HttpClient) => Effect.Effect<A, E, Scope.Scope>) =>
  Effect.scoped(Effect.gen(function*() {
    const r = yield* makeReceiver
    const http = yield* HttpClient.HttpClient
    return yield* f(r, http)
  })).pipe(Effect.provide(FetchHttpClient.layer))

/** The DeliveryError an exit failed with (the test fails on success or on any other cause). */
export const failure = <A>(exit: Exit.Exit<A, DeliveryError>): DeliveryError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const e = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  expect(e).toBeInstanceOf(DeliveryError)
  return e!
}
