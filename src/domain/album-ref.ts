import { Either } from "effect"
import type { AlbumSourceName } from "./album.js"
import { InvalidAlbumReference } from "./ports/AlbumSource.js"

const SPOTIFY_ID = /^[0-9A-Za-z]{22}$/
const DEEZER_ID = /^[0-9]{1,15}$/
const LIBRARY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

type Parsed =
  /** kind "short-link": a share link that only the network can resolve (id is then "") */
  | { readonly _tag: "CatalogLink"; readonly service: "spotify" | "deezer"; readonly kind: string; readonly id: string }
  | { readonly _tag: "OtherLink" }
  | { readonly _tag: "Plain"; readonly text: string }

const SPOTIFY_HOSTS = new Set(["open.spotify.com", "play.spotify.com"])
const SPOTIFY_SHORT_HOSTS = new Set(["spotify.link", "spoti.fi"])
const DEEZER_HOSTS = new Set(["deezer.com", "www.deezer.com", "api.deezer.com"])
const DEEZER_SHORT_HOSTS = new Set(["deezer.page.link", "link.deezer.com"])

const asUrl = (text: string): URL | undefined => {
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text
    : /^[a-z0-9-]+(\.[a-z0-9-]+)+\//i.test(text) ? `https://${text}` : undefined
  if (candidate === undefined) return undefined
  try {
    return new URL(candidate)
  } catch {
    return undefined
  }
}

const segmentsOf = (url: URL): Array<string> => url.pathname.split("/").filter((s) => s !== "").map(decodeURIComponent)

export const classify = (text: string): Parsed => {
  // spotify:album:<id> (and spotify:track:, spotify:artist:, spotify:user:<u>:playlist:<id>)
  const uri = /^spotify:([a-z]+):(.*)$/i.exec(text)
  if (uri) return { _tag: "CatalogLink", service: "spotify", kind: uri[1]!.toLowerCase(), id: uri[2]! }

  const url = asUrl(text)
  if (url === undefined) return { _tag: "Plain", text }
  const host = url.hostname.toLowerCase()
  if (SPOTIFY_SHORT_HOSTS.has(host)) return { _tag: "CatalogLink", service: "spotify", kind: "short-link", id: "" }
  if (DEEZER_SHORT_HOSTS.has(host)) return { _tag: "CatalogLink", service: "deezer", kind: "short-link", id: "" }
  if (SPOTIFY_HOSTS.has(host)) {
    // /album/<id>, /intl-de/album/<id>, /embed/album/<id>
    const segs = segmentsOf(url).filter((s, i) => !(i === 0 && /^intl-[a-z]{2}(-[a-z]{2})?$/i.test(s)))
    const rest = segs[0]?.toLowerCase() === "embed" ? segs.slice(1) : segs
    return { _tag: "CatalogLink", service: "spotify", kind: (rest[0] ?? "").toLowerCase(), id: rest[1] ?? "" }
  }
  if (DEEZER_HOSTS.has(host)) {
    // /album/<id>, /us/album/<id>, /en/album/<id>
    const segs = segmentsOf(url)
    const rest = segs.length >= 2 && /^[a-z]{2}(-[a-z]{2})?$/i.test(segs[0]!) ? segs.slice(1) : segs
    return { _tag: "CatalogLink", service: "deezer", kind: (rest[0] ?? "").toLowerCase(), id: rest[1] ?? "" }
  }
  return { _tag: "OtherLink" }
}

const SERVICE_NAME = { spotify: "Spotify", deezer: "Deezer" } as const

const kindName = (kind: string): string => (kind === "" ? "page" : kind)

/**
 * Turns what a user pasted (an id, a URI or a share link) into the catalog id for `source`,
 * or says in words why it is not an album of that source. Pure; no network: short links
 * (spotify.link, deezer.page.link) cannot be resolved offline and are refused with advice.
 */
export const parseAlbumRef = (source: AlbumSourceName, input: string): Either.Either<string, InvalidAlbumReference> => {
  const fail = (reason: string) => Either.left(new InvalidAlbumReference({ source, input, reason }))
  const text = input.trim()
  if (text === "") return fail("album_id is empty")
  if (text.length > 2048) return fail("album_id is too long to be an album id or link")
  const parsed = classify(text)

  if (parsed._tag === "CatalogLink") {
    const name = SERVICE_NAME[parsed.service]
    if (parsed.service !== source) {
      return fail(`this is a ${name} link; choose the source "${parsed.service}" for it`)
    }
    if (parsed.kind === "short-link") {
      return fail(`short ${name} share links cannot be used; open the link and copy the full address of the album page`)
    }
    if (parsed.kind !== "album") return fail(`this is a link to a ${name} ${kindName(parsed.kind)}, not to an album`)
    if (parsed.service === "spotify") {
      return SPOTIFY_ID.test(parsed.id)
        ? Either.right(parsed.id)
        : fail("the Spotify album id in this link is not valid (a Spotify id is 22 letters and digits)")
    }
    return DEEZER_ID.test(parsed.id) && !/^0+$/.test(parsed.id)
      ? Either.right(parsed.id.replace(/^0+/, ""))
      : fail("the Deezer album id in this link is not valid (a Deezer id is a number)")
  }
  if (parsed._tag === "OtherLink") {
    return source === "local"
      ? fail("a library album is given by its id, not by a link")
      : fail(`this is not a ${SERVICE_NAME[source]} link`)
  }

  const plain = parsed.text
  switch (source) {
    case "spotify":
      if (SPOTIFY_ID.test(plain)) return Either.right(plain)
      if (DEEZER_ID.test(plain)) return fail(`"${plain}" looks like a Deezer id; a Spotify album id is 22 letters and digits`)
      return fail(`not a Spotify album id or link: a Spotify id is 22 letters and digits (this has ${[...plain].length} characters)`)
    case "deezer":
      if (DEEZER_ID.test(plain) && !/^0+$/.test(plain)) return Either.right(plain.replace(/^0+/, ""))
      if (SPOTIFY_ID.test(plain)) return fail(`"${plain}" looks like a Spotify id; a Deezer album id is a number`)
      return fail("not a Deezer album id or link: a Deezer album id is a number")
    case "local":
      return LIBRARY_ID.test(plain) ? Either.right(plain) : fail("not a library album id")
  }
}
