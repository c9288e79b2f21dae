/**
 * The simulator as a Layer: started on 127.0.0.1, any free port, stopped with the layer.
 * Point the app at it with `pointSettingsAtSimulator` (writes settings slskd.url and
 * slskd.api_key) or with `simulatorEnv` (the SOULSPOT_* variables, for a ConfigProvider).
 */
import { Context, Effect, Layer } from "effect"
import { Settings } from "../../domain/ports/Settings.js"
import { makeSimulator, type SimulatorOptions, type SlskdSimulatorHandle } from "./index.js"

export class SlskdSimulator extends Context.Tag("soulspot/dev/SlskdSimulator")<SlskdSimulator, SlskdSimulatorHandle>() {}

export const SlskdSimulatorLive = (options: SimulatorOptions = {}) =>
  Layer.scoped(SlskdSimulator, makeSimulator({ host: "127.0.0.1", port: 0, ...options }))

/** The simulator's base URL (what setting slskd.url must hold). */
export const simulatorUrl = Effect.map(SlskdSimulator, (s) => s.url)

/** Environment variables that point SoulSpot at this simulator. */
export const simulatorEnv = (sim: SlskdSimulatorHandle): ReadonlyMap<string, string> =>
  new Map([["SOULSPOT_SLSKD_URL", sim.url], ["SOULSPOT_SLSKD_API_KEY", sim.apiKey ?? ""]])

/** Stores slskd.url and slskd.api_key so that every slskd call goes to the simulator. */
export const pointSettingsAtSimulator = Effect.gen(function*() {
  const sim = yield* SlskdSimulator
  const settings = yield* Settings
  yield* settings.update({ "slskd.url": sim.url, "slskd.api_key": sim.apiKey ?? "" }).pipe(Effect.orDie)
})

/** Simulator + settings pointing at it; needs Settings. */
export const SlskdSimulatorWithSettings = (options: SimulatorOptions = {}) =>
  Layer.effectDiscard(pointSettingsAtSimulator).pipe(Layer.provideMerge(SlskdSimulatorLive(options)))
