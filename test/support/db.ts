import { Layer } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Events, DomainEventsLive } from "../../src/application/events.js"
import { DownloadRepositoryLive } from "../../src/infrastructure/persistence/download-repository.js"
import { QualityProfilesLive } from "../../src/infrastructure/persistence/quality-profile-repository.js"
import { SettingsLive } from "../../src/infrastructure/persistence/settings-repository.js"
import { DatabaseLive } from "../../src/infrastructure/persistence/sqlite.js"
import { TrackRepositoryLive } from "../../src/infrastructure/persistence/track-repository.js"

/** A fresh database file in its own temporary directory. */
export const tempDbFile = (): string => join(mkdtempSync(join(tmpdir(), "soulspot-test-")), "soulspot.db")

/** Real SQLite with the real migrations, plus the repositories and the event bus. */
export const PersistenceTest = (filename: string = ":memory:") => {
  const db = DatabaseLive(filename)
  const tracks = TrackRepositoryLive.pipe(Layer.provide(db))
  const events = DomainEventsLive.pipe(Layer.provideMerge(Events.Default))
  return Layer.mergeAll(
    DownloadRepositoryLive.pipe(Layer.provide(Layer.mergeAll(db, tracks, events))),
    SettingsLive.pipe(Layer.provide(db)),
    QualityProfilesLive.pipe(Layer.provide(db)),
    tracks,
    events,
    db
  )
}
