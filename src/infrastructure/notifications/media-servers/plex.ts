import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Schema } from "effect"
import type { PlexTarget } from "../../../domain/notifications/targets.js"
import { type Delivered, DeliveryError, type RequestScan } from "../../../domain/ports/NotificationSender.js"
import { base, send } from "../senders/answer.js"
import { isInside, outermost } from "./folders.js"

type Plex = typeof PlexTarget.Type

/** More folders than this in one section: one refresh of the whole section instead. */
export const MAX_PARTIAL_SCANS = 5

const Section = Schema.Struct({
  key: Schema.String,
  type: Schema.String,
  title: Schema.optionalWith(Schema.String, { default: () => "" }),
  Location: Schema.optionalWith(Schema.Array(Schema.Struct({ path: Schema.String })), { default: () => [] })
})
export type PlexSection = typeof Section.Type
const Sections = Schema.parseJson(Schema.Struct({
  MediaContainer: Schema.Struct({ Directory: Schema.optionalWith(Schema.Array(Section), { default: () => [] }) })
}))

/** One refresh request: a section, and a folder for a partial scan (absent: the whole section). */
export interface PlexRefresh {
  readonly section: string
  readonly path?: string
}

/**
 * Which refreshes cover the folders: the configured section, else every music ("artist")
 * section. A section scans only the folders inside its locations (a partial scan each, up to
 * MAX_PARTIAL_SCANS); when a folder lies in no location (Plex sees the library under another
 * path) the sections are refreshed whole, so nothing new is missed.
 */
export const plexRefreshes = (sections: ReadonlyArray<PlexSection>, wanted: string | undefined, folders: ReadonlyArray<string>): ReadonlyArray<PlexRefresh> | string => {
  const chosen = wanted === undefined ? sections.filter((s) => s.type === "artist") : sections.filter((s) => s.key === wanted)
  if (chosen.length === 0) return wanted === undefined ? "Plex has no music library" : `Plex has no library section ${wanted}`
  const all = outermost(folders)
  const located = (f: string) => chosen.some((s) => s.Location.some((l) => isInside(f, l.path)))
  const whole = all.length === 0 || all.some((f) => !located(f))
  return chosen.flatMap((s): ReadonlyArray<PlexRefresh> => {
    if (whole) return [{ section: s.key }]
    const mine = all.filter((f) => s.Location.some((l) => isInside(f, l.path)))
    return mine.length > MAX_PARTIAL_SCANS ? [{ section: s.key }] : mine.map((path) => ({ section: s.key, path }))
  })
}

/** The token goes in the X-Plex-Token header, not the query, so it stays out of access logs. */
const request = (target: Plex, path: string) =>
  HttpClientRequest.get(`${base(target.url)}${path}`).pipe(HttpClientRequest.acceptJson, HttpClientRequest.setHeader("X-Plex-Token", target.token))

const listSections = (http: HttpClient.HttpClient, target: Plex) =>
  Effect.flatMap(send(http, "Plex", request(target, "/library/sections")), (answer) =>
    Schema.decodeUnknown(Sections)(answer.body).pipe(
      Effect.map((s) => ({ answer, sections: s.MediaContainer.Directory })),
      Effect.mapError(() => new DeliveryError({ message: "Plex: the library list is not the JSON Plex sends", status: answer.status, permanent: false }))))

/** Lists the sections (to find the music ones and their folders), then refreshes what covers the folders. */
export const scanPlex = (http: HttpClient.HttpClient): RequestScan<Plex> => (target, folders) =>
  Effect.gen(function*() {
    const { sections } = yield* listSections(http, target)
    const refreshes = plexRefreshes(sections, target.section, folders)
    if (typeof refreshes === "string") return yield* Effect.fail(new DeliveryError({ message: `Plex: ${refreshes}`, permanent: true }))
    let last: Delivered = { status: 200, body: "" }
    for (const r of refreshes) {
      const req = request(target, `/library/sections/${encodeURIComponent(r.section)}/refresh`)
      last = yield* send(http, "Plex", r.path === undefined ? req : HttpClientRequest.setUrlParam(req, "path", r.path))
    }
    return { status: last.status, body: refreshes.map((r) => `section ${r.section}: ${r.path ?? "whole library"}`).join("\n") }
  })

/** "Send a test message": the library list, which needs a valid token, answered as the music sections found. */
export const testPlex = (http: HttpClient.HttpClient) => (target: Plex): Effect.Effect<Delivered, DeliveryError> =>
  Effect.map(listSections(http, target), ({ answer, sections }) => {
    const music = sections.filter((s) => s.type === "artist")
    return {
      status: answer.status,
      body: music.length === 0 ? "no music library found" : `music libraries: ${music.map((s) => `${s.key} ${s.title}`).join(", ")}`
    }
  })
