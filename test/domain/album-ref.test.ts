import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parseAlbumRef } from "../../src/domain/album-ref.js"
import type { AlbumSourceName } from "../../src/domain/album.js"

const OK_COMPUTER = "6dVIqQ8qmQ5GBnJ9shOYGE"

describe("parseAlbumRef accepts", () => {
  it.each<{ source: AlbumSourceName; input: string; id: string }>([
    { source: "spotify", input: OK_COMPUTER, id: OK_COMPUTER },
    { source: "spotify", input: `  ${OK_COMPUTER}\n`, id: OK_COMPUTER },
    { source: "spotify", input: `spotify:album:${OK_COMPUTER}`, id: OK_COMPUTER },
    { source: "spotify", input: `https://open.spotify.com/album/${OK_COMPUTER}`, id: OK_COMPUTER },
    { source: "spotify", input: `https://open.spotify.com/album/${OK_COMPUTER}?si=Xb3mZ9QvR0uKj2lP`, id: OK_COMPUTER },
    { source: "spotify", input: `https://open.spotify.com/album/${OK_COMPUTER}/`, id: OK_COMPUTER },
    { source: "spotify", input: `https://open.spotify.com/intl-de/album/${OK_COMPUTER}`, id: OK_COMPUTER },
    { source: "spotify", input: `https://open.spotify.com/intl-pt/album/${OK_COMPUTER}?si=abc&nd=1`, id: OK_COMPUTER },
    { source: "spotify", input: `https://open.spotify.com/embed/album/${OK_COMPUTER}`, id: OK_COMPUTER },
    { source: "spotify", input: `open.spotify.com/album/${OK_COMPUTER}`, id: OK_COMPUTER },
    { source: "spotify", input: `http://open.spotify.com/album/${OK_COMPUTER}#top`, id: OK_COMPUTER },
    { source: "deezer", input: "302127", id: "302127" },
    { source: "deezer", input: " 0302127 ", id: "302127" },
    { source: "deezer", input: "https://www.deezer.com/album/302127", id: "302127" },
    { source: "deezer", input: "https://www.deezer.com/us/album/302127", id: "302127" },
    { source: "deezer", input: "https://www.deezer.com/en/album/302127?utm_source=share", id: "302127" },
    { source: "deezer", input: "https://deezer.com/fr/album/302127/", id: "302127" },
    { source: "deezer", input: "https://api.deezer.com/album/302127", id: "302127" },
    { source: "deezer", input: "www.deezer.com/album/302127", id: "302127" },
    { source: "local", input: "3f1c6a52-8d0e-4b8e-9a51-0c4f3b0f2a77", id: "3f1c6a52-8d0e-4b8e-9a51-0c4f3b0f2a77" },
    { source: "local", input: " 3f1c6a52-8d0e-4b8e-9a51-0c4f3b0f2a77 ", id: "3f1c6a52-8d0e-4b8e-9a51-0c4f3b0f2a77" }
  ])("$source: $input", ({ source, input, id }) => {
    expect(parseAlbumRef(source, input)).toEqual(Either.right(id))
  })
})

describe("parseAlbumRef refuses with a reason a user understands", () => {
  it.each<{ source: AlbumSourceName; input: string; reason: RegExp }>([
    { source: "spotify", input: "", reason: /empty/ },
    { source: "spotify", input: "   ", reason: /empty/ },
    { source: "spotify", input: "6dVIqQ8qmQ5GBnJ9shOYG", reason: /22 letters and digits \(this has 21 characters\)/ },
    { source: "spotify", input: "6dVIqQ8qmQ5GBnJ9shOYGE7", reason: /22 letters and digits/ },
    { source: "spotify", input: "6dVIqQ8qmQ5GBnJ9shOY-E", reason: /22 letters and digits/ },
    { source: "spotify", input: "302127", reason: /looks like a Deezer id/ },
    { source: "spotify", input: "spotify:track:2takcwOaAZWiXQijPHIx7B", reason: /Spotify track, not to an album/ },
    { source: "spotify", input: "spotify:artist:4Z8W4fKeB5YxbusRsdQVPb", reason: /Spotify artist, not to an album/ },
    { source: "spotify", input: "https://open.spotify.com/track/2takcwOaAZWiXQijPHIx7B?si=1", reason: /Spotify track, not to an album/ },
    { source: "spotify", input: "https://open.spotify.com/intl-de/artist/4Z8W4fKeB5YxbusRsdQVPb", reason: /Spotify artist, not to an album/ },
    { source: "spotify", input: "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M", reason: /Spotify playlist, not to an album/ },
    { source: "spotify", input: "https://open.spotify.com/", reason: /Spotify page, not to an album/ },
    { source: "spotify", input: "https://open.spotify.com/album/tooShort", reason: /album id in this link is not valid/ },
    { source: "spotify", input: "spotify:album:", reason: /album id in this link is not valid/ },
    { source: "spotify", input: "https://spotify.link/AbCdEf", reason: /short Spotify share links cannot be used/ },
    { source: "spotify", input: "https://www.deezer.com/album/302127", reason: /Deezer link; choose the source "deezer"/ },
    { source: "spotify", input: "https://music.apple.com/us/album/ok-computer/1097861387", reason: /not a Spotify link/ },
    { source: "spotify", input: "Radiohead - OK Computer", reason: /not a Spotify album id or link/ },
    { source: "deezer", input: "https://www.deezer.com/track/3135553", reason: /Deezer track, not to an album/ },
    { source: "deezer", input: "https://www.deezer.com/us/artist/293585", reason: /Deezer artist, not to an album/ },
    { source: "deezer", input: "https://www.deezer.com/album/abc", reason: /album id in this link is not valid/ },
    { source: "deezer", input: "https://deezer.page.link/xyz123", reason: /short Deezer share links cannot be used/ },
    { source: "deezer", input: "https://link.deezer.com/s/30abc", reason: /short Deezer share links cannot be used/ },
    { source: "deezer", input: `spotify:album:${OK_COMPUTER}`, reason: /Spotify link; choose the source "spotify"/ },
    { source: "deezer", input: `https://open.spotify.com/album/${OK_COMPUTER}`, reason: /Spotify link; choose the source "spotify"/ },
    { source: "deezer", input: OK_COMPUTER, reason: /looks like a Spotify id/ },
    { source: "deezer", input: "0", reason: /a Deezer album id is a number/ },
    { source: "deezer", input: "-1", reason: /a Deezer album id is a number/ },
    { source: "deezer", input: "12.5", reason: /a Deezer album id is a number/ },
    { source: "local", input: "https://www.deezer.com/album/302127", reason: /Deezer link; choose the source "deezer"/ },
    { source: "local", input: "https://example.com/album/1", reason: /by its id, not by a link/ },
    { source: "local", input: "../../etc/passwd", reason: /not a library album id/ },
    { source: "local", input: "a b", reason: /not a library album id/ }
  ])("$source: '$input'", ({ source, input, reason }) => {
    const result = parseAlbumRef(source, input)
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left._tag).toBe("InvalidAlbumReference")
      expect(result.left.message).toMatch(reason)
      expect(result.left.input).toBe(input)
      expect(result.left.source).toBe(source)
    }
  })
})
