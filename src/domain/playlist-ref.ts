import { Either } from "effect"
import { classify } from "./album-ref.js"

const SPOTIFY_ID = /^[0-9A-Za-z]{22}$/
const DEEZER_ID = /^[1-9][0-9]{0,14}$/

export type PlaylistSourceName = "spotify" | "deezer"

const NAME = { spotify: "Spotify", deezer: "Deezer" } as const

/**
 * What a user pasted (an id, a URI such as spotify:playlist:<id> or spotify:user:<u>:playlist:<id>,
 * or a share link with ?si=... or a country segment) to the playlist id, or why not. Pure.
 */
export const parsePlaylistRef = (source: PlaylistSourceName, input: string): Either.Either<string, string> => {
  const text = input.trim()
  if (text === "") return Either.left("playlist_id: must not be empty")
  if (text.length > 2048) return Either.left("playlist_id: too long to be a playlist id or link")
  const parsed = classify(text)
  if (parsed._tag === "OtherLink") return Either.left(`playlist_id: not a ${NAME[source]} link`)
  if (parsed._tag === "CatalogLink") {
    if (parsed.service !== source) return Either.left(`playlist_id: this is a ${NAME[parsed.service]} link; choose the source "${parsed.service}" for it`)
    if (parsed.kind === "short-link") {
      return Either.left(`playlist_id: short ${NAME[source]} share links cannot be used; open the link and copy the full address of the playlist page`)
    }
    // spotify:user:<name>:playlist:<id>, the older URI form
    const legacy = parsed.kind === "user" ? /^[^:]+:playlist:(.+)$/.exec(parsed.id) : null
    const id = legacy ? legacy[1]! : parsed.id
    if (parsed.kind !== "playlist" && !legacy) {
      return Either.left(`playlist_id: this is a link to a ${NAME[source]} ${parsed.kind || "page"}, not to a playlist`)
    }
    return check(source, id)
  }
  return check(source, parsed.text)
}

const check = (source: PlaylistSourceName, id: string): Either.Either<string, string> => {
  if (source === "spotify") {
    return SPOTIFY_ID.test(id) ? Either.right(id) : Either.left("playlist_id: not a Spotify playlist id or link (a Spotify id is 22 letters and digits)")
  }
  return DEEZER_ID.test(id) ? Either.right(id) : Either.left("playlist_id: not a Deezer playlist id or link (a Deezer playlist id is a number)")
}
