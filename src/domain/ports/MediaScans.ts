import { Context, type Effect } from "effect"
import type { MediaServerTarget } from "../notifications/targets.js"

/** A configured media server as the notification store knows it. */
export interface MediaServer {
  readonly id: string
  readonly target: MediaServerTarget
}

/**
 * Media-server rescans after imports, batched: each call notes that `folder` (an absolute path in
 * the library) has new files for these servers; one scan per server follows a quiet spell after
 * the last import of a burst. Never waits for a server.
 */
export class MediaScans extends Context.Tag("soulspot/MediaScans")<MediaScans, {
  readonly imported: (servers: ReadonlyArray<MediaServer>, folder: string) => Effect.Effect<void>
}>() {}
