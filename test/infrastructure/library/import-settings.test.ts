import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Option } from "effect"
import { ImportSetting } from "../../../src/config.js"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { PersistenceTest } from "../../support/db.js"

const env = ConfigProvider.fromMap(new Map([
  ["SOULSPOT_SLSKD_DOWNLOADS_DIR", "/srv/slskd/downloads/"],
  ["SOULSPOT_IMPORT_MODE", "teleport"],
  ["SOULSPOT_NAMING_TEMPLATE", "../{title}.{ext}"]
]))

describe("library import settings", () => {
  it.layer(PersistenceTest().pipe(Layer.provide(Layer.setConfigProvider(env))))((it) => {
    it.effect("come from the environment; bad values fall back to the defaults", () => Effect.gen(function*() {
      const s = yield* Settings
      expect(yield* s.get(ImportSetting.slskdDownloadsDir)).toEqual(Option.some("/srv/slskd/downloads"))
      expect(yield* s.get(ImportSetting.libraryDir)).toEqual(Option.none())
      expect(yield* s.get(ImportSetting.mode)).toBe("move")
      expect(yield* s.get(ImportSetting.namingTemplate)).toBe("{albumartist}/{album} ({year})/{disc}-{track:02} {title}.{ext}")
      const keys = (yield* s.describe).map((v) => v.key)
      expect(keys).toEqual(expect.arrayContaining(["import.slskd_downloads_dir", "import.library_dir", "import.mode", "import.quarantine_dir", "import.naming_template"]))
    }))

    it.effect("PUT refuses a template that leaves the library and a relative folder, and changes nothing", () => Effect.gen(function*() {
      const s = yield* Settings
      const bad = yield* Effect.exit(s.update({ "import.library_dir": "/music", "import.naming_template": "{artist}/../../{title}.{ext}" }))
      expect(Exit.isFailure(bad)).toBe(true)
      expect(String(bad)).toContain("would leave the library folder")
      expect(yield* s.get(ImportSetting.libraryDir)).toEqual(Option.none())
      const rel = yield* Effect.exit(s.update({ "import.library_dir": "music" }))
      expect(String(rel)).toContain("absolute folder path")
      yield* s.update({ "import.library_dir": "/music", "import.mode": "hardlink", "import.naming_template": "{artist}/{title}.{ext}" })
      expect(yield* s.get(ImportSetting.libraryDir)).toEqual(Option.some("/music"))
      expect(yield* s.get(ImportSetting.mode)).toBe("hardlink")
      expect(yield* s.get(ImportSetting.namingTemplate)).toBe("{artist}/{title}.{ext}")
    }))
  })
})
