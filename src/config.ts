import { Config, Duration, Either, Option, Redacted } from "effect"
import { isAbsolute } from "node:path"
import { DEFAULT_NAMING_TEMPLATE, validateTemplate } from "./domain/library/naming.js"
import type { SettingDef } from "./domain/ports/Settings.js"
import { redirectUriProblem } from "./domain/redirect-uri.js"

/** Process-level settings: read once from the environment at start. */
export const ServerConfig = Config.all({
  port: Config.integer("SOULSPOT_PORT").pipe(Config.withDefault(8765)),
  host: Config.string("SOULSPOT_HOST").pipe(Config.withDefault("0.0.0.0")),
  db: Config.string("SOULSPOT_DB").pipe(Config.withDefault("./data/soulspot.db")),
  apiKey: Config.redacted("SOULSPOT_API_KEY").pipe(Config.option),
  logFormat: Config.literal("text", "json")("SOULSPOT_LOG_FORMAT").pipe(Config.withDefault("text" as const))
})
export type ServerConfig = Config.Config.Success<typeof ServerConfig>

const MAX_DURATION = Duration.days(7)

const SHORT_UNITS: Record<string, string> = { ms: "millis", s: "seconds", sec: "seconds", m: "minutes", min: "minutes", h: "hours", d: "days" }

/** Effect's duration syntax ("5 seconds"), and the short forms people type ("5s", "2m", "1h"). */
export const parseDuration = (raw: string): Option.Option<Duration.Duration> => {
  const t = raw.trim()
  const short = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)$/i.exec(t)
  return Duration.decodeUnknown(short ? `${short[1]} ${SHORT_UNITS[short[2]!.toLowerCase()]}` : t)
}

/** A duration written back in the syntax the settings accept, in the largest whole unit. */
export const showDuration = (d: Duration.Duration): string => {
  const ms = Duration.toMillis(d)
  for (const [unit, size] of [["days", 86_400_000], ["hours", 3_600_000], ["minutes", 60_000], ["seconds", 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${ms === size ? unit.slice(0, -1) : unit}`
  }
  return `${ms} millis`
}

const durationSetting = (key: string, env: string, dflt: string, description: string): SettingDef<Duration.Duration> => ({
  key, env, description, secret: false,
  default: Duration.decode(dflt as Duration.DurationInput),
  parse: (raw) => {
    const d = parseDuration(raw)
    return Option.match(d, {
      onNone: () => Either.left(`"${raw}" is not a duration (write it like "5 seconds" or "200 millis")`),
      onSome: (v) => Duration.lessThanOrEqualTo(v, Duration.zero) || Duration.greaterThan(v, MAX_DURATION)
        ? Either.left("must be more than zero and at most 7 days")
        : Either.right(v)
    })
  },
  show: showDuration
})

const intSetting = (key: string, env: string, dflt: number, min: number, max: number, description: string): SettingDef<number> => ({
  key, env, description, secret: false, default: dflt,
  parse: (raw) => {
    const n = Number(raw.trim())
    return Number.isInteger(n) && n >= min && n <= max && raw.trim() !== ""
      ? Either.right(n)
      : Either.left(`must be a whole number from ${min} to ${max}`)
  },
  show: String
})

const urlSetting = (key: string, env: string, dflt: string, description: string): SettingDef<string> => ({
  key, env, description, secret: false, default: dflt,
  parse: (raw) => {
    const t = raw.trim().replace(/\/+$/, "")
    try {
      const u = new URL(t)
      return u.protocol === "http:" || u.protocol === "https:" ? Either.right(t) : Either.left("must be an http(s) URL")
    } catch {
      return Either.left("must be an http(s) URL")
    }
  },
  show: (s) => s
})

const optionalText = (key: string, env: string, secret: boolean, description: string): SettingDef<Option.Option<Redacted.Redacted<string>>> => ({
  key, env, description, secret, default: Option.none(),
  parse: (raw) => {
    const t = raw.trim()
    if (t.length > 1024) return Either.left("is too long")
    return Either.right(t === "" ? Option.none() : Option.some(Redacted.make(t)))
  },
  show: (o) => Option.match(o, { onNone: () => "", onSome: Redacted.value })
})

const optionalPath = (key: string, env: string, description: string): SettingDef<Option.Option<string>> => ({
  key, env, description, secret: false, default: Option.none(),
  parse: (raw) => {
    const t = raw.trim().replace(/(.)\/+$/, "$1")
    if (t === "") return Either.right(Option.none())
    if (t.length > 1024) return Either.left("is too long")
    return isAbsolute(t) && !t.includes("\u0000") ? Either.right(Option.some(t)) : Either.left("must be an absolute folder path such as /music")
  },
  show: (o) => Option.getOrElse(o, () => "")
})

const boolSetting = (key: string, env: string, dflt: boolean, description: string): SettingDef<boolean> => ({
  key, env, description, secret: false, default: dflt,
  parse: (raw) => {
    const t = raw.trim().toLowerCase()
    return t === "true" || t === "false" ? Either.right(t === "true") : Either.left("must be true or false")
  },
  show: String
})

/** Every setting a user can change at run time (api-contract section 1). */
export const Setting = {
  slskdUrl: urlSetting("slskd.url", "SOULSPOT_SLSKD_URL", "http://localhost:5030", "slskd base URL"),
  slskdApiKey: optionalText("slskd.api_key", "SOULSPOT_SLSKD_API_KEY", true, "slskd API key"),
  dispatchInterval: durationSetting("dispatch.interval", "SOULSPOT_DISPATCH_INTERVAL", "30 seconds", "how often waiting downloads are searched for"),
  syncInterval: durationSetting("sync.interval", "SOULSPOT_SYNC_INTERVAL", "5 seconds", "how often transfer progress is read from slskd"),
  breakerFailureThreshold: intSetting("breaker.failure_threshold", "SOULSPOT_BREAKER_FAILURE_THRESHOLD", 3, 1, 100, "consecutive slskd failures that open the circuit"),
  breakerRecoveryTimeout: durationSetting("breaker.recovery_timeout", "SOULSPOT_BREAKER_RECOVERY_TIMEOUT", "60 seconds", "time the circuit stays open before one probe"),
  searchTimeout: durationSetting("search.timeout", "SOULSPOT_SEARCH_TIMEOUT", "15 seconds", "slskd searchTimeout for each search"),
  retryBaseDelay: durationSetting("retry.base_delay", "SOULSPOT_RETRY_BASE_DELAY", "10 seconds", "first automatic retry delay (doubles, capped at 1 hour)"),
  maxAttempts: intSetting("retry.max_attempts", "SOULSPOT_MAX_ATTEMPTS", 5, 1, 100, "attempts before a download is FAILED"),
  remoteQueueTimeout: durationSetting("transfer.remote_queue_timeout", "SOULSPOT_REMOTE_QUEUE_TIMEOUT", "15 minutes", "how long a file may wait in a peer's queue"),
  stallTimeout: durationSetting("transfer.stall_timeout", "SOULSPOT_STALL_TIMEOUT", "2 minutes", "how long a started transfer may make no progress"),
  spotifyClientId: optionalText("spotify.client_id", "SOULSPOT_SPOTIFY_CLIENT_ID", false, "Spotify client id"),
  spotifyClientSecret: optionalText("spotify.client_secret", "SOULSPOT_SPOTIFY_CLIENT_SECRET", true, "Spotify client secret"),
  spotifyApiUrl: urlSetting("spotify.api_url", "SOULSPOT_SPOTIFY_API_URL", "https://api.spotify.com/v1", "Spotify Web API base URL"),
  spotifyAccountsUrl: urlSetting("spotify.accounts_url", "SOULSPOT_SPOTIFY_ACCOUNTS_URL", "https://accounts.spotify.com", "Spotify accounts base URL"),
  spotifyRedirectUri: {
    key: "spotify.redirect_uri", env: "SOULSPOT_SPOTIFY_REDIRECT_URI", secret: false, default: "",
    description: "Spotify login redirect URI (empty: http://127.0.0.1:<port>/api/spotify/callback)",
    parse: (raw: string) => {
      const t = raw.trim()
      const problem = t === "" ? null : redirectUriProblem(t)
      return problem === null ? Either.right(t) : Either.left(problem)
    },
    show: (s: string) => s
  } satisfies SettingDef<string>,
  playlistSyncInterval: durationSetting("playlists.sync_interval", "SOULSPOT_PLAYLIST_SYNC_INTERVAL", "1 hour", "how often watched playlists are re-read"),
  deezerApiUrl: urlSetting("deezer.api_url", "SOULSPOT_DEEZER_API_URL", "https://api.deezer.com", "Deezer API base URL"),
  // slskd's own behaviour (docs/slskd-notes.md)
  slskdRestartGrace: durationSetting("slskd.restart_grace", "SOULSPOT_SLSKD_RESTART_GRACE", "2 minutes", "after an slskd restart, how long slskd may take to resume a transfer before SoulSpot enqueues it again"),
  removeFinished: boolSetting("transfer.remove_finished", "SOULSPOT_REMOVE_FINISHED", true, "remove finished transfers from slskd's list once SoulSpot has seen their end"),
  defaultProfile: {
    key: "quality.default_profile", env: "SOULSPOT_DEFAULT_PROFILE", description: "quality profile for new downloads",
    secret: false, default: "balanced",
    parse: (raw: string) => /^[a-z0-9-]{1,40}$/.test(raw.trim()) ? Either.right(raw.trim()) : Either.left("must be a profile name"),
    show: (s: string) => s
  } satisfies SettingDef<string>
} as const

/** Library import: off while the slskd downloads folder is unset. */
export const ImportSetting = {
  slskdDownloadsDir: optionalPath("import.slskd_downloads_dir", "SOULSPOT_SLSKD_DOWNLOADS_DIR", "slskd's downloads folder as SoulSpot sees it (import is off while empty)"),
  libraryDir: optionalPath("import.library_dir", "SOULSPOT_LIBRARY_DIR", "music library folder imported files go to"),
  mode: {
    key: "import.mode", env: "SOULSPOT_IMPORT_MODE", description: "move, copy or hardlink files from slskd's folder into the library",
    secret: false, default: "move",
    parse: (raw: string) => {
      const t = raw.trim().toLowerCase()
      return t === "move" || t === "copy" || t === "hardlink" ? Either.right(t) : Either.left("must be move, copy or hardlink")
    },
    show: (s: string) => s
  } satisfies SettingDef<"move" | "copy" | "hardlink">,
  quarantineDir: optionalPath("import.quarantine_dir", "SOULSPOT_QUARANTINE_DIR", "where rejected and to-be-reviewed files wait (default: quarantine/ beside the database)"),
  namingTemplate: {
    key: "import.naming_template", env: "SOULSPOT_NAMING_TEMPLATE", description: "path of an imported file inside the library",
    secret: false, default: DEFAULT_NAMING_TEMPLATE, parse: validateTemplate, show: (s: string) => s
  } satisfies SettingDef<string>,
  locateTimeout: durationSetting("import.locate_timeout", "SOULSPOT_IMPORT_LOCATE_TIMEOUT", "2 minutes", "how long to wait for a completed file to appear in slskd's folder")
} as const

export const AllSettings: ReadonlyArray<SettingDef<unknown>> = [...Object.values(Setting), ...Object.values(ImportSetting)] as ReadonlyArray<SettingDef<unknown>>
