import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PersistenceLayer } from "../../src/App.js"

/** A fresh database file in its own temporary directory. */
export const tempDbFile = (): string => join(mkdtempSync(join(tmpdir(), "soulspot-test-")), "soulspot.db")

/** Real SQLite with the real migrations, plus the repositories and the event bus: the app's own persistence layer. */
export const PersistenceTest = (filename: string = ":memory:") => PersistenceLayer(filename)
