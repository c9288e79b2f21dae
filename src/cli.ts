/**
 * Command line: `cli match --track T.json --responses R.json [--profile NAME]`, printing one
 * JSON object: the chosen file (or null) and every candidate with its score and reasons. A dry
 * run of file selection with the same `select` the workers use and the built-in quality
 * profiles; no database, no slskd.
 *
 * Exit codes: 0 with one JSON object on stdout; 2 with a message on stderr for bad arguments,
 * unreadable or malformed files, or an unknown profile.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Cause, Data, Effect, Either, Option, ParseResult, Schema } from "effect"
import { pathToFileURL } from "node:url"
import { BUILT_IN_PROFILES, builtInProfile, DEFAULT_PROFILE_NAME } from "./domain/matching/profiles.js"
import { select } from "./domain/matching/select.js"
import { SlskdResponses, toPeerResponses, toWantedTrack, TrackJson } from "./domain/matching/slskd-input.js"

export class CliError extends Data.TaggedError("CliError")<{ readonly message: string }> {}

export const USAGE = `usage: cli match --track T.json --responses R.json [--profile NAME]
  T.json  {"title", "artist", "album"?, "duration_ms"?, "track_number"?}
  R.json  an array of slskd search responses (GET /api/v0/searches/{id}/responses)
  NAME    one of ${BUILT_IN_PROFILES.map((p) => p.name).join(", ")} (default ${DEFAULT_PROFILE_NAME})`

// ---------------------------------------------------------------------------------------------

interface MatchArgs {
  readonly track: string
  readonly responses: string
  readonly profile: string
}

export const parseArgs = (argv: ReadonlyArray<string>): Either.Either<MatchArgs, string> => {
  const [command, ...rest] = argv
  if (command !== "match") return Either.left(command === undefined ? "no command given" : `unknown command "${command}"`)
  const values = new Map<string, string>()
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!
    const m = /^--(track|responses|profile)(?:=(.*))?$/.exec(arg)
    if (!m) return Either.left(`unknown argument "${arg}"`)
    const value = m[2] ?? rest[++i]
    if (value === undefined || value === "") return Either.left(`--${m[1]} needs a value`)
    if (values.has(m[1]!)) return Either.left(`--${m[1]} given twice`)
    values.set(m[1]!, value)
  }
  const track = values.get("track")
  const responses = values.get("responses")
  if (track === undefined) return Either.left("--track is required")
  if (responses === undefined) return Either.left("--responses is required")
  return Either.right({ track, responses, profile: values.get("profile") ?? DEFAULT_PROFILE_NAME })
}

const readJson = <A, I>(path: string, what: string, schema: Schema.Schema<A, I>) => Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs.readFileString(path).pipe(
    Effect.mapError((e) => new CliError({ message: `cannot read ${what} file ${path}: ${e.message}` })))
  const json = yield* Schema.decodeUnknown(Schema.parseJson())(text).pipe(
    Effect.mapError((e) => new CliError({
      message: `${what} file ${path} is not valid JSON: ${ParseResult.TreeFormatter.formatErrorSync(e)}`
    })))
  return yield* Schema.decodeUnknown(schema)(json).pipe(
    Effect.mapError((e) => new CliError({
      message: `${what} file ${path} has the wrong shape:\n${ParseResult.TreeFormatter.formatErrorSync(e)}`
    })))
})

/** Runs `match` and returns the JSON text for stdout. */
export const runMatch = (args: MatchArgs) => Effect.gen(function*() {
  const profile = yield* Option.match(builtInProfile(args.profile), {
    onNone: () => Effect.fail(new CliError({
      message: `unknown profile "${args.profile}" (built-in: ${BUILT_IN_PROFILES.map((p) => p.name).join(", ")})`
    })),
    onSome: Effect.succeed
  })
  const track = yield* readJson(args.track, "track", TrackJson)
  const responses = yield* readJson(args.responses, "responses", SlskdResponses)
  const result = select(toWantedTrack(track), toPeerResponses(responses), profile)
  const out = {
    chosen: result.chosen === null ? null : {
      username: result.chosen.username,
      filename: result.chosen.filename,
      size: result.chosen.size,
      score: result.chosen.score
    },
    candidates: result.candidates.map((c) => ({
      username: c.username,
      filename: c.filename,
      score: c.score,
      accepted: c.accepted,
      reasons: c.reasons
    }))
  }
  return JSON.stringify(out, null, 2)
})

export const runCli = (argv: ReadonlyArray<string>) =>
  Either.match(parseArgs(argv), {
    onLeft: (message) => Effect.fail(new CliError({ message: `${message}\n${USAGE}` })),
    onRight: runMatch
  })

const main = async () => {
  const exit = await Effect.runPromiseExit(runCli(process.argv.slice(2)).pipe(Effect.provide(NodeContext.layer)))
  if (exit._tag === "Success") {
    process.stdout.write(`${exit.value}\n`)
    process.exitCode = 0
    return
  }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) {
    process.stderr.write(`${failure.value.message}\n`)
    process.exitCode = 2
  } else {
    process.stderr.write(`unexpected error: ${Cause.pretty(exit.cause)}\n`)
    process.exitCode = 1
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) void main()
