import type { NotificationEvent, NotificationMessage } from "./targets.js"

/** What the outbox holds for an event (the download in the API's field names, the album, the outage). */
export interface EventPayload {
  readonly download?: {
    readonly id?: string
    readonly username?: string | null
    readonly error?: string | null
    readonly track?: { readonly title?: string; readonly artist?: string; readonly album?: string | null }
    readonly import?: { readonly path?: string | null; readonly reason?: string | null } | null
  }
  readonly reason?: string | null
  readonly album?: NonNullable<NotificationMessage["album"]>
  readonly health?: { readonly down_since?: string; readonly seconds?: number }
}

const minutes = (seconds: number) => seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`

const trackLine = (p: EventPayload) => {
  const t = p.download?.track
  const name = `${t?.artist ?? "?"} – ${t?.title ?? "?"}`
  return t?.album ? `${name} (${t.album})` : name
}

/** Title and one line of text for people, per event. */
export const describeEvent = (event: NotificationEvent, p: EventPayload): { title: string; text: string } => {
  switch (event) {
    case "download.completed":
      return { title: `Downloaded: ${trackLine(p)}`, text: `${trackLine(p)} finished downloading${p.download?.username ? ` from ${p.download.username}` : ""}.` }
    case "download.imported":
      return { title: `In library: ${trackLine(p)}`, text: `${trackLine(p)} was imported${p.download?.import?.path ? ` to ${p.download.import.path}` : ""}.` }
    case "download.failed":
      return { title: `Failed: ${trackLine(p)}`, text: `${trackLine(p)} failed: ${p.reason ?? p.download?.error ?? "no reason given"}` }
    case "download.needs_review":
      return { title: `Needs review: ${trackLine(p)}`, text: `${trackLine(p)} waits for your review: ${p.reason ?? p.download?.import?.reason ?? "see the download"}` }
    case "album.completed": {
      const a = p.album
      return {
        title: `Album complete: ${a?.artist ?? "?"} – ${a?.title ?? "?"}`,
        text: `All ${a?.total_tracks ?? "?"} tracks of ${a?.title ?? "the album"} by ${a?.artist ?? "?"} are done.`
      }
    }
    case "slskd.down":
      return { title: "slskd is unreachable", text: `SoulSpot has not reached slskd for ${minutes(p.health?.seconds ?? 0)}; downloads wait until it is back.` }
    case "slskd.up":
      return { title: "slskd is back", text: `slskd answers again after ${minutes(p.health?.seconds ?? 0)}; downloads go on.` }
  }
}

/** The versioned message of one outbox event, as every target is sent it. */
export const eventMessage = (id: string, event: NotificationEvent, at: string, payload: EventPayload): NotificationMessage => {
  const { title, text } = describeEvent(event, payload)
  return {
    version: 1, id, event, at, title, text,
    ...(payload.download === undefined ? {} : { download: payload.download }),
    ...(payload.album === undefined ? {} : { album: payload.album }),
    ...(payload.health === undefined ? {} : { health: payload.health }),
    ...(payload.reason === undefined || payload.reason === null ? {} : { reason: payload.reason })
  }
}

/** "Send a test message": marked `test: true`, with the event of a finished download. */
export const testMessage = (at: string): NotificationMessage => ({
  version: 1, id: "test", test: true, event: "download.completed", at,
  title: "SoulSpot test message", text: "If you can read this, SoulSpot can reach this target."
})
