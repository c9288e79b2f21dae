import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { runCli } from "../../../src/cli.js"

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..")
const FIX = join(ROOT, "test/fixtures/matching/cli")
const TRACK = join(FIX, "track.json")
const RESPONSES = join(FIX, "responses.json")

/** Runs `node --import tsx src/cli.ts ...` as a user would. */
const cli = (...args: ReadonlyArray<string>) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "src/cli.ts"), ...args], { cwd: ROOT, encoding: "utf8" })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const scratch = () => mkdtempSync(join(tmpdir(), "soulspot-cli-"))

describe("cli match", () => {
  it("prints one JSON object with the chosen file and every candidate, exit 0", () => {
    const r = cli("match", "--track", TRACK, "--responses", RESPONSES)
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as {
      chosen: Record<string, unknown> | null
      candidates: ReadonlyArray<Record<string, unknown>>
    }
    expect(Object.keys(out).sort()).toEqual(["candidates", "chosen"])
    expect(out.chosen).toEqual({
      username: "nightowl_88",
      filename: "@@qxmtr\\Music\\Adele\\2015 - 25\\01 - Hello.flac",
      size: 31457836,
      score: expect.any(Number)
    })
    // cover art is not a candidate; the live take, the locked copy, the other song and Lionel Richie's Hello are
    expect(out.candidates).toHaveLength(5)
    for (const c of out.candidates) {
      expect(Object.keys(c).sort()).toEqual(["accepted", "filename", "reasons", "score", "username"])
      expect(Array.isArray(c.reasons) && c.reasons.length > 0).toBe(true)
    }
    expect(out.candidates.filter((c) => c.accepted)).toHaveLength(1)
    const byName = (f: string) => out.candidates.find((c) => c.filename === f)!
    expect(byName("D:\\Musik\\Adele\\Live at the Royal Albert Hall\\Adele - Hello (Live).mp3").reasons).toContain(
      "rejected: live version (named in the file name)")
    expect(JSON.stringify(byName("D:\\Musik\\Adele\\25\\01 Hello.mp3").reasons)).toContain("locked")
    expect(JSON.stringify(byName("@@bbzke\\Lionel Richie\\1983 - Can't Slow Down\\06 - Hello.flac").reasons)).toContain("artist not found")
  }, 30_000)

  it("takes --profile and --key=value forms", () => {
    const r = cli("match", `--track=${TRACK}`, `--responses=${RESPONSES}`, "--profile", "space-saver")
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { chosen: unknown }
    // the only MP3 of the studio take is locked, FLAC is not allowed
    expect(out.chosen).toBeNull()
  }, 30_000)

  it("prints null when nothing is acceptable", () => {
    const dir = scratch()
    writeFileSync(join(dir, "r.json"), "[]")
    const r = cli("match", "--track", TRACK, "--responses", join(dir, "r.json"))
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ chosen: null, candidates: [] })
  }, 30_000)

  it.each([
    { name: "bad arguments", args: ["match", "--track", TRACK], message: "--responses is required" },
    { name: "unreadable file", args: ["match", "--track", "/nonexistent/t.json", "--responses", RESPONSES], message: "cannot read track file" }
  ])("exit 2 with a message on stderr: $name", ({ args, message }) => {
    const r = cli(...args)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr).toContain(message)
  }, 30_000)
})

/** The same failures in-process (no child process per case). */
describe("cli match errors", () => {
  const failure = (argv: ReadonlyArray<string>) =>
    runCli(argv).pipe(Effect.flip, Effect.map((e) => e.message), Effect.provide(NodeContext.layer))

  it.each([
    { name: "no command", args: [], message: "no command" },
    { name: "unknown command", args: ["matchx"], message: "unknown command" },
    { name: "missing --track", args: ["match", "--responses", RESPONSES], message: "--track is required" },
    { name: "flag without value", args: ["match", "--track"], message: "--track needs a value" },
    { name: "flag twice", args: ["match", "--track", TRACK, "--track", TRACK], message: "given twice" },
    { name: "unknown flag", args: ["match", "--track", TRACK, "--responses", RESPONSES, "--verbose"], message: "unknown argument" },
    { name: "unknown profile", args: ["match", "--track", TRACK, "--responses", RESPONSES, "--profile", "best"], message: "unknown profile" }
  ])("$name", ({ args, message }) =>
    Effect.runPromise(failure(args)).then((m) => {
      expect(m).toContain(message)
    }))

  it.each([
    { name: "invalid JSON", track: "{ title: ", responses: "[]", message: "not valid JSON" },
    { name: "empty title", track: JSON.stringify({ title: " ", artist: "A" }), responses: "[]", message: "title must not be empty" },
    { name: "responses not an array", track: JSON.stringify({ title: "T", artist: "A" }), responses: "{}", message: "wrong shape" },
    { name: "a file without filename", track: JSON.stringify({ title: "T", artist: "A" }), responses: JSON.stringify([{ username: "u", files: [{ size: 1 }] }]), message: "filename" }
  ])("bad input file: $name", ({ track, responses, message }) => {
    const dir = scratch()
    writeFileSync(join(dir, "t.json"), track)
    writeFileSync(join(dir, "r.json"), responses)
    return Effect.runPromise(failure(["match", "--track", join(dir, "t.json"), "--responses", join(dir, "r.json")])).then((m) => {
      expect(m).toContain(message)
    })
  })
})
