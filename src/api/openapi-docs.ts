import pkg from "../../package.json" with { type: "json" }

/** The package's version, shown as the OpenAPI document's `info.version`. */
export const VERSION: string = pkg.version

type Doc = readonly [summary: string, description: string]

/**
 * Summary and description of every operation, by operationId (`group.endpoint`). Kept in one
 * table so the whole API reads as a list; `test/api/openapi.test.ts` fails for an operation
 * that has no entry here.
 */
export const OPERATION_DOCS: Readonly<Record<string, Doc>> = {
  "downloads.create": ["Queue one track", "Creates a download for a track (title and artist, optional album, duration, ISRC, catalog ids) or an already stored track_id. The same track already queued or completed answers 200 with that download instead of a second one; a track already in the library answers with its file."],
  "downloads.list": ["List downloads", "Every download, newest first, filtered by status (comma list) and text (title, artist, album). Paged by limit with offset or with the opaque cursor from next_cursor."],
  "downloads.bulk": ["Act on many downloads", "Applies cancel, retry, remove, pause, resume or priority to a list of ids in one request; answers which ids were done and which were refused, with the reason for each."],
  "downloads.get": ["One download", "The download with its track, progress, attempts, last error and import state; 404 when the id is unknown."],
  "downloads.update": ["Change a download's priority", "Sets the priority (-1000 to 1000, higher runs first) of a download."],
  "downloads.cancel": ["Cancel or remove a download", "Without remove: cancels an active download (also in slskd when queued or transferring); 409 when it is already finished. With remove=true: removes a finished download (completed, failed or cancelled) from the lists, 204."],
  "downloads.candidates": ["Why this file?", "The files found for the download's last search with their scores and the reasons for each score or rejection, best first."],
  "downloads.retry": ["Retry a download", "Puts a failed or cancelled download back to WAITING with its attempts reset; 409 for any other status."],
  "manager.active": ["Active downloads", "WAITING to DOWNLOADING downloads in the order they will be worked on (priority, then age), one page at a time with the opaque cursor; optional text filter."],
  "manager.stats": ["Counts per status", "How many downloads are in each status, in total, and completed or failed today (UTC)."],
  "manager.health": ["slskd and the circuit breaker", "Whether slskd was reached and is logged in to Soulseek, its version, and the circuit breaker's state, failure count, last success and last error. Also served as GET /health."],
  "settings.read": ["Effective settings", "Every setting with its value and where it comes from (stored, environment or default); secrets are masked as ****."],
  "notifications.list": ["Notification targets", "Every target (webhook, ntfy, Discord, Gotify, Apprise, and media servers to rescan after imports) with its fields, secrets as ****, and the state of its deliveries: pending, delivered, given up, and the last error."],
  "notifications.replace": ["Replace notification targets", "The targets become exactly the given list (an item without id is a new target); a secret sent as **** keeps the stored one. One invalid target refuses the whole change with 400 and nothing is changed. The SOULSPOT_WEBHOOK_URL target is not affected."],
  "notifications.test": ["Send a test message", "Sends a test message (marked test: true) to a stored target, or to one being edited, and answers what the target answered: its status and body, or why nothing was delivered. A media server gets one cheap authenticated call instead."],
  "settings.update": ["Change settings", "Stores the given known keys after validating every value; nothing is changed when one value is refused. Changing a URL to another origin clears the secret stored for it."],
  "albums.createAlbum": ["Queue an album", "Queues every track of a Spotify, Deezer or local album (id, URL or URI). Tracks already queued or in the library are answered as they are; repeating the request creates nothing new."],
  "albums.importAlbum": ["Add a local album", "Stores an album described by hand (title, artist, tracks) so it can be queued with source local."],
  "preview.preview": ["Dry-run file selection", "Scores the given slskd search responses for a track exactly as the workers would, without queueing anything."],
  "batch.batch": ["Queue many tracks", "Queues up to 10,000 tracks in one transaction; each is idempotent like a single POST, and invalid items are refused alone with their index and reason."],
  "playlists.playlist": ["Queue a playlist", "Reads every page of a Spotify or Deezer playlist (id, URL or URI) and queues its tracks, grouped by album; local and unavailable tracks are skipped with a reason. Repeating it creates nothing new."],
  "playlists.liked": ["Queue Liked Songs", "Queues the logged-in Spotify user's Liked Songs (needs the Spotify account login)."],
  "playlists.file": ["Queue a playlist file", "Queues the tracks of an uploaded CSV (artist,title,album,duration) or M3U/M3U8 file with #EXTINF lines; lines that cannot be read are skipped with a reason."],
  "playlists.list": ["Watched playlists", "Playlists that are re-read on a schedule, with their last sync and track counts."],
  "playlists.update": ["Change a watched playlist", "Turns watching a playlist on or off."],
  "playlists.remove": ["Stop watching a playlist", "Removes the playlist from the watched list; its downloads stay."],
  "spotify.account": ["Spotify account", "Whether a Spotify user is logged in (PKCE), who, and the redirect URI to register for the app."],
  "spotify.disconnect": ["Log out of Spotify", "Forgets the Spotify user's tokens."],
  "spotify.connect": ["Start the Spotify login", "Redirects to Spotify's consent page (PKCE, no client secret)."],
  "spotify.callback": ["Spotify login callback", "Where Spotify sends the browser back; stores the user's tokens."],
  "spotify.pasteCallback": ["Finish the Spotify login by hand", "Takes the callback URL pasted from the browser when the redirect URI cannot reach SoulSpot."],
  "spotify.playlists": ["The Spotify user's playlists", "Playlists the logged-in user owns or collaborates on, for queueing or watching."],
  "libraryImport.importFile": ["Import again or accept", "Retries a failed library import, or accepts a file waiting for review; 409 when there is no import to retry."],
  "libraryImport.rejectFile": ["Reject the file", "Quarantines the imported or reviewed file, marks that user and file bad for this track, and downloads the track elsewhere; 409 when the download is not completed."]
}

/** Adds the table's summary and description to each operation of a generated document. */
export const describeOperations = (spec: Record<string, any>): Record<string, any> => {
  for (const methods of Object.values<Record<string, any>>(spec["paths"] ?? {})) {
    for (const op of Object.values<Record<string, any>>(methods)) {
      const doc = OPERATION_DOCS[op["operationId"]]
      if (doc) {
        op["summary"] ??= doc[0]
        op["description"] ??= doc[1]
      }
    }
  }
  return { ...spec, info: { ...spec["info"], version: VERSION } }
}
