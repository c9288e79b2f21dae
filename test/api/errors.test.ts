import { HttpApiSchema } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import type { Schema } from "effect"
import { apiErrorOf, statusOf } from "../../src/api/errors.js"
import { InvalidLocalAlbum } from "../../src/application/queue-album-downloads.js"
import { DownloadNotFound, InvalidSetting, StatusConflict, TrackNotFound, UnknownProfile } from "../../src/domain/errors.js"
import {
  AlbumNotFound, CatalogCredentialsError, CatalogRateLimited, CatalogUnavailable, InvalidAlbumReference
} from "../../src/domain/ports/AlbumSource.js"
import { ProviderError } from "../../src/domain/ports/DownloadProvider.js"
import { QualityProfileReadOnly } from "../../src/domain/ports/QualityProfiles.js"

describe("album source errors", () => {
  it("carry the HTTP status and a message that names the service", () => {
    const cases = [
      [new AlbumNotFound({ source: "spotify", albumId: "x" }), 404, "Spotify album not found: x"],
      [new AlbumNotFound({ source: "deezer", albumId: "1" }), 404, "Deezer album not found: 1"],
      [new InvalidAlbumReference({ source: "deezer", input: "x", reason: "not a Deezer album id" }), 400, "not a Deezer album id"],
      [new CatalogCredentialsError({ service: "Spotify", reason: "missing", detail: "set them" }), 503, "Spotify credentials missing or rejected: set them"],
      [new CatalogRateLimited({ service: "Deezer", retryAfterSeconds: null }), 503, "Deezer is limiting how often we may ask; try again in a little while"],
      [new CatalogUnavailable({ service: "Spotify", reason: "album lookup: HTTP 500" }), 502, "Spotify failed: album lookup: HTTP 500"]
    ] as const
    for (const [error, status, message] of cases) {
      expect(statusOf(error)).toBe(status)
      const api = apiErrorOf(error)
      expect(HttpApiSchema.getStatusError(api.constructor as unknown as Schema.Schema.All)).toBe(status)
      expect(error.message).toBe(message)
      expect(api.message).toBe(message)
    }
  })
})

describe("the tag → API error table", () => {
  it("answers every domain error with the API error a client expects", () => {
    const cases = [
      [new DownloadNotFound({ id: "d1" }), "NotFound", 404, "no download with id d1"],
      [new TrackNotFound({ id: "t1" }), "NotFound", 404, "no track with id t1"],
      [new StatusConflict({ id: "d1", status: "COMPLETED", action: "cancel" }), "Conflict", 409, "cannot cancel download d1: it is COMPLETED"],
      [new QualityProfileReadOnly({ name: "any" }), "Conflict", 409, `"any" is a built-in quality profile and cannot be changed or removed; save a copy under another name`],
      [new InvalidSetting({ key: "k", reason: "bad" }), "BadRequest", 400, "k: bad"],
      [new InvalidLocalAlbum({ reason: "title: must not be empty" }), "BadRequest", 400, "title: must not be empty"],
      [new UnknownProfile({ name: "x" }), "Unprocessable", 422, `quality_profile: there is no quality profile named "x"`],
      [new ProviderError({ reason: "Unreachable", message: "connection refused" }), "Unavailable", 503, "slskd: connection refused"]
    ] as const
    for (const [error, tag, status, message] of cases) {
      const api = apiErrorOf(error)
      expect(api._tag).toBe(tag)
      expect(api.message).toBe(message)
      expect(statusOf(error)).toBe(status)
    }
  })
})
