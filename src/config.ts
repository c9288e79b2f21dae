import { Config, ConfigError, Duration, Either, Option, ParseResult, Redacted, Schema } from "effect"
import { isAbsolute } from "node:path"
import { DEFAULT_NAMING_TEMPLATE, validateTemplate } from "./domain/library/naming.js"
import type { SettingDef } from "./domain/ports/Settings.js"
import { redirectUriProblem } from "./domain/redirect-uri.js"

export const MIN_API_KEY_LENGTH = 16

/** Process-level settings: read once from the environment at start. */
export const ServerConfig = Config.all({
  port: Config.integer("SOULSPOT_PORT").pipe(Config.withDefault(8765)),
  host: Config.string("SOULSPOT_HOST").pipe(Config.withDefault("0.0.0.0")),
  db: Config.string("SOULSPOT_DB").pipe(Config.withDefault("./data/soulspot.db")),
  apiKey: Config.string("SOULSPOT_API_KEY").pipe(
    // A trailing space or newline from an env file would otherwise make the key impossible to type.
    Config.map((k) => k.trim()),
    Config.mapOrFail((k) => k.length >= MIN_API_KEY_LENGTH
      ? Either.right(Redacted.make(k))
      : Either.left(ConfigError.InvalidData(["SOULSPOT_API_KEY"],
        `must be at least ${MIN_API_KEY_LENGTH} characters (it has ${k.length}); a short key is guessed in minutes. Generate one with: openssl rand -hex 24`))),
    Config.option),
  logFormat: Config.literal("text", "json")("SOULSPOT_LOG_FORMAT").pipe(Config.withDefault("text" as const)),
  /** Addresses of reverse proxies whose X-Forwarded-Proto / X-Forwarded-For are believed. */
  trustedProxies: Config.string("SOULSPOT_TRUSTED_PROXY").pipe(
    Config.map((s) => s.split(",").map((p) => p.trim()).filter((p) => p !== "")),
    Config.withDefault([] as ReadonlyArray<string>)),
  /** Open event streams allowed in total and per client address (503 beyond). */
  maxEventStreams: Config.integer("SOULSPOT_MAX_EVENT_STREAMS").pipe(Config.withDefault(500), Config.validate({
    message: "must be a whole number of at least 1", validation: (n) => n >= 1 })),
  maxEventStreamsPerClient: Config.integer("SOULSPOT_MAX_EVENT_STREAMS_PER_CLIENT").pipe(Config.withDefault(20), Config.validate({
    message: "must be a whole number of at least 1", validation: (n) => n >= 1 }))
})
export type ServerConfig = Config.Config.Success<typeof ServerConfig>

/** One webhook target receiving every event, configured without the UI (scripts, containers). */
export const WebhookEnvConfig = Config.all({
  url: Config.string("SOULSPOT_WEBHOOK_URL").pipe(Config.map((u) => u.trim()), Config.option),
  secret: Config.redacted("SOULSPOT_WEBHOOK_SECRET").pipe(Config.option)
})

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

/** A short, single-line excerpt of what the user typed, for error messages. */
export const excerpt = (raw: string, max = 40): string => {
  const flat = raw.replace(/\s+/g, " ").trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`
}

/** A setting's text form as a Schema: `decode` says what the text means or why it is refused. */
const textSchema = <A>(to: Schema.Schema<A>, decode: (raw: string) => Either.Either<A, string>, encode: (value: A) => string): Schema.Schema<A, string> =>
  Schema.transformOrFail(Schema.String, to, {
    strict: true,
    decode: (raw, _, ast) => Either.match(decode(raw), {
      onLeft: (message) => ParseResult.fail(new ParseResult.Type(ast, raw, message)),
      onRight: ParseResult.succeed
    }),
    encode: (value) => ParseResult.succeed(encode(value))
  })

const DurationText = textSchema(Schema.DurationFromSelf, (raw) => Option.match(parseDuration(raw), {
  onNone: () => Either.left(`"${excerpt(raw)}" is not a duration (write it like "5 seconds" or "200 millis")`),
  onSome: (v) => Duration.lessThanOrEqualTo(v, Duration.zero) || Duration.greaterThan(v, MAX_DURATION)
    ? Either.left("must be more than zero and at most 7 days")
    : Either.right(v)
}), showDuration)

const durationSetting = (key: string, env: string, dflt: string, description: string): SettingDef<Duration.Duration> => ({
  key, env, description, secret: false, default: Duration.decode(dflt as Duration.DurationInput), schema: DurationText
})

const intSetting = (key: string, env: string, dflt: number, min: number, max: number, description: string): SettingDef<number> => ({
  key, env, description, secret: false, default: dflt,
  schema: textSchema(Schema.Number, (raw) => {
    const n = Number(raw.trim())
    return Number.isInteger(n) && n >= min && n <= max && raw.trim() !== ""
      ? Either.right(n)
      : Either.left(`must be a whole number from ${min} to ${max}`)
  }, String)
})

const LINK_LOCAL = /^(169\.254\.\d+\.\d+|\[fe[89ab][0-9a-f]:.*\])$/i

/**
 * An http(s) base URL a secret may be sent to: no credentials inside it, no link-local
 * address (cloud metadata services live there), and an IPv4 address only as four decimal
 * numbers (2130706433 or 0x7f.1 are 127.0.0.1 in disguise).
 */
export const checkServiceUrl = (raw: string): Either.Either<string, string> => {
  const t = raw.trim().replace(/\/+$/, "")
  let u: URL
  try {
    u = new URL(t)
  } catch {
    return Either.left("must be an http(s) URL")
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return Either.left("must be an http(s) URL")
  if (u.username !== "" || u.password !== "") return Either.left("must not contain a user name or password (put secrets in their own setting)")
  if (LINK_LOCAL.test(u.hostname)) return Either.left("must not point at a link-local address")
  const typedHost = (t.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split(/[/?#]/)[0] ?? "").replace(/:\d*$/, "").toLowerCase()
  if (/^\d+\.\d+\.\d+\.\d+$/.test(u.hostname) && typedHost !== u.hostname) {
    return Either.left(`must write an IPv4 address as four decimal numbers (${u.hostname}), not "${excerpt(typedHost)}"`)
  }
  return Either.right(t)
}

const UrlText = textSchema(Schema.String, checkServiceUrl, (s) => s)

const urlSetting = (key: string, env: string, dflt: string, description: string): SettingDef<string> => ({
  key, env, description, secret: false, default: dflt, schema: UrlText
})

const OptionalText = textSchema(Schema.OptionFromSelf(Schema.RedactedFromSelf(Schema.String)), (raw) => {
  const t = raw.trim()
  if (t.length > 1024) return Either.left("is too long")
  return Either.right(t === "" ? Option.none() : Option.some(Redacted.make(t)))
}, (o) => Option.match(o, { onNone: () => "", onSome: Redacted.value }))

const optionalText = (key: string, env: string, secret: boolean, description: string): SettingDef<Option.Option<Redacted.Redacted<string>>> => ({
  key, env, description, secret, default: Option.none(), schema: OptionalText
})

const PathText = textSchema(Schema.OptionFromSelf(Schema.String), (raw) => {
  const t = raw.trim().replace(/(.)\/+$/, "$1")
  if (t === "") return Either.right(Option.none())
  if (t.length > 1024) return Either.left("is too long")
  return isAbsolute(t) && !t.includes("\u0000") ? Either.right(Option.some(t)) : Either.left("must be an absolute folder path such as /music")
}, (o) => Option.getOrElse(o, () => ""))

const optionalPath = (key: string, env: string, description: string): SettingDef<Option.Option<string>> => ({
  key, env, description, secret: false, default: Option.none(), schema: PathText
})

const BoolText = textSchema(Schema.Boolean, (raw) => {
  const t = raw.trim().toLowerCase()
  return t === "true" || t === "false" ? Either.right(t === "true") : Either.left("must be true or false")
}, String)

const boolSetting = (key: string, env: string, dflt: boolean, description: string): SettingDef<boolean> => ({
  key, env, description, secret: false, default: dflt, schema: BoolText
})

const ProfileNameText = textSchema(Schema.String,
  (raw) => /^[a-z0-9-]{1,40}$/.test(raw.trim()) ? Either.right(raw.trim()) : Either.left("must be a profile name"), (s) => s)

const RedirectUriText = textSchema(Schema.String, (raw) => {
  const t = raw.trim()
  const problem = t === "" ? null : redirectUriProblem(t)
  return problem === null ? Either.right(t) : Either.left(problem)
}, (s) => s)

const ImportMode = Schema.Literal("move", "copy", "hardlink")
const ImportModeText = textSchema<typeof ImportMode.Type>(ImportMode, (raw) => {
  const t = raw.trim().toLowerCase()
  return Schema.is(ImportMode)(t) ? Either.right(t) : Either.left("must be move, copy or hardlink")
}, (s) => s)

const NamingTemplateText = textSchema(Schema.String, validateTemplate, (s) => s)

/** Every setting a user can change at run time (README.md, Configuration). */
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
    schema: RedirectUriText
  } satisfies SettingDef<string>,
  playlistSyncInterval: durationSetting("playlists.sync_interval", "SOULSPOT_PLAYLIST_SYNC_INTERVAL", "1 hour", "how often watched playlists are re-read"),
  deezerApiUrl: urlSetting("deezer.api_url", "SOULSPOT_DEEZER_API_URL", "https://api.deezer.com", "Deezer API base URL"),
  // slskd's own behaviour (docs/slskd-notes.md)
  slskdRestartGrace: durationSetting("slskd.restart_grace", "SOULSPOT_SLSKD_RESTART_GRACE", "2 minutes", "after an slskd restart, how long slskd may take to resume a transfer before SoulSpot enqueues it again"),
  removeFinished: boolSetting("transfer.remove_finished", "SOULSPOT_REMOVE_FINISHED", true, "remove finished transfers from slskd's list once SoulSpot has seen their end"),
  scanDelay: durationSetting("notifications.scan_delay", "SOULSPOT_SCAN_DELAY", "60 seconds", "quiet time after the last import before media servers are asked to rescan"),
  notifyGiveUpAfter: durationSetting("notifications.give_up_after", "SOULSPOT_NOTIFY_GIVE_UP_AFTER", "24 hours", "how long a message is retried (from its first attempt) before it is given up"),
  slskdDownAfter: durationSetting("notifications.slskd_down_after", "SOULSPOT_SLSKD_DOWN_AFTER", "5 minutes", "how long slskd must be unreachable before slskd.down is sent"),
  defaultProfile: {
    key: "quality.default_profile", env: "SOULSPOT_DEFAULT_PROFILE", description: "quality profile for new downloads",
    secret: false, default: "balanced", schema: ProfileNameText
  } satisfies SettingDef<string>
} as const

/** Library import: off while the slskd downloads folder is unset. */
export const ImportSetting = {
  slskdDownloadsDir: optionalPath("import.slskd_downloads_dir", "SOULSPOT_SLSKD_DOWNLOADS_DIR", "slskd's downloads folder as SoulSpot sees it (import is off while empty)"),
  libraryDir: optionalPath("import.library_dir", "SOULSPOT_LIBRARY_DIR", "music library folder imported files go to"),
  mode: {
    key: "import.mode", env: "SOULSPOT_IMPORT_MODE", description: "move, copy or hardlink files from slskd's folder into the library",
    secret: false, default: "move", schema: ImportModeText
  } satisfies SettingDef<"move" | "copy" | "hardlink">,
  quarantineDir: optionalPath("import.quarantine_dir", "SOULSPOT_QUARANTINE_DIR", "where rejected and to-be-reviewed files wait (default: quarantine/ beside the database)"),
  namingTemplate: {
    key: "import.naming_template", env: "SOULSPOT_NAMING_TEMPLATE", description: "path of an imported file inside the library",
    secret: false, default: DEFAULT_NAMING_TEMPLATE, schema: NamingTemplateText
  } satisfies SettingDef<string>,
  upgrade: boolSetting("import.upgrade", "SOULSPOT_IMPORT_UPGRADE", true, "replace a library file with a strictly better one under the download's profile (the old file goes to quarantine)"),
  locateTimeout: durationSetting("import.locate_timeout", "SOULSPOT_IMPORT_LOCATE_TIMEOUT", "2 minutes", "how long to wait for a completed file to appear in slskd's folder")
} as const

/**
 * The secrets each service URL is sent with: when the URL moves to another origin they are
 * cleared, so a key never reaches a host it was not entered for.
 */
export const SecretsOfUrl: ReadonlyArray<{
  readonly url: SettingDef<string>
  readonly secrets: ReadonlyArray<SettingDef<Option.Option<Redacted.Redacted<string>>>>
  /** Tables of tokens sent to that host (the Spotify login's access and refresh tokens). */
  readonly tokenTables: ReadonlyArray<"spotify_account">
}> = [
  { url: Setting.slskdUrl, secrets: [Setting.slskdApiKey], tokenTables: [] },
  // the client secret goes to the accounts host; the token made from it to the API host
  { url: Setting.spotifyAccountsUrl, secrets: [Setting.spotifyClientSecret], tokenTables: ["spotify_account"] },
  { url: Setting.spotifyApiUrl, secrets: [Setting.spotifyClientSecret], tokenTables: ["spotify_account"] },
  { url: Setting.deezerApiUrl, secrets: [], tokenTables: [] }
]

export const AllSettings: ReadonlyArray<SettingDef<unknown>> = [...Object.values(Setting), ...Object.values(ImportSetting)] as ReadonlyArray<SettingDef<unknown>>
