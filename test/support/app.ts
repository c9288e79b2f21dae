import { NodeHttpServer } from "@effect/platform-node"
import { ConfigProvider, Layer } from "effect"
import { AppLayer, type AppOptions } from "../../src/App.js"

/**
 * The whole service on 127.0.0.1 port 0, with an HttpClient aimed at it. Environment values
 * come from `env` (e.g. the simulator's URL), never from the machine's own environment.
 */
export const AppTest = (options: Partial<AppOptions> = {}, env: Record<string, string> = {}) =>
  AppLayer({ db: ":memory:", workers: false, ...options }).pipe(
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({
      SOULSPOT_SLSKD_URL: "http://127.0.0.1:9", ...env
    })))))
  )
