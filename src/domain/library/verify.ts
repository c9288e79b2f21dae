import type { ImportCheck } from "./import-state.js"
import { judgeCutoff, type SpectrumReading } from "./spectrum.js"

export interface ProbeResult {
  readonly format: string
  readonly lossless: boolean
  readonly durationMs: number | null
}

export interface VerifyInput {
  /** The remote file name that was chosen (its extension is the format that was chosen). */
  readonly chosenFilename: string
  readonly localPath: string
  readonly expectedSize: number | null
  readonly actualSize: number
  /** The reader's result, or why it could not read the file. */
  readonly probe: ProbeResult | { readonly error: string }
  /** extension → formats it may hold */
  readonly formatsOfExtension: (ext: string) => ReadonlyArray<string>
  readonly wantedDurationMs: number | null
  /** null: not a lossless file, or its codec cannot be decoded here. */
  readonly spectrum: SpectrumReading | null
}

export type Verdict = "pass" | "review" | "fail"

export interface VerifyResult {
  readonly verdict: Verdict
  readonly checks: ReadonlyArray<ImportCheck>
  /** The first failed check, in words. */
  readonly reason: string | null
}

const extOf = (name: string) => {
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(name)
  return m ? m[1]!.toLowerCase() : ""
}

/** ±3 s, and 1 % more of everything past five minutes (a 10-minute track: ±6 s). */
export const durationTolerance = (wantedMs: number): number => 3000 + Math.max(0, (wantedMs - 300_000) * 0.01)

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/**
 * Judges a downloaded file. A clear failure (unreadable, another format, wrong size, far from
 * the track's length, a lossy source in a lossless file) keeps it out of the library; a borderline
 * one (length just outside the tolerance, a cutoff near 20 kHz) is for the user to decide.
 */
export const verifyFile = (i: VerifyInput): VerifyResult => {
  const checks: Array<ImportCheck> = []
  const fails: Array<string> = []
  const doubts: Array<string> = []
  const add = (name: string, level: "ok" | "review" | "fail", detail: string) => {
    checks.push({ name, ok: level === "ok", detail })
    if (level === "fail") fails.push(detail)
    if (level === "review") doubts.push(detail)
  }

  if (i.expectedSize !== null) {
    add("size", i.actualSize === i.expectedSize ? "ok" : "fail", i.actualSize === i.expectedSize
      ? `${i.actualSize} bytes, as transferred`
      : `${i.actualSize} bytes on disk but the transfer had ${i.expectedSize}`)
  }
  if ("error" in i.probe) {
    add("readable", "fail", `not a readable audio file: ${i.probe.error}`)
    return { verdict: "fail", checks, reason: fails[0] ?? null }
  }
  const p = i.probe
  add("readable", "ok", `${p.format}${p.lossless ? " (lossless)" : ""}`)

  const chosenExt = extOf(i.chosenFilename)
  const localExt = extOf(i.localPath)
  const agrees = i.formatsOfExtension(chosenExt).includes(p.format) && i.formatsOfExtension(localExt).includes(p.format)
  add("format", agrees ? "ok" : "fail", agrees
    ? `.${localExt} holds ${p.format}, as chosen`
    : `the file is ${p.format} but was chosen as .${chosenExt}`)

  if (i.wantedDurationMs !== null && i.wantedDurationMs > 0) {
    if (p.durationMs === null) {
      add("duration", "review", "the reader found no duration")
    } else {
      const off = Math.abs(p.durationMs - i.wantedDurationMs)
      const tol = durationTolerance(i.wantedDurationMs)
      const detail = `${secs(p.durationMs)}, the track is ${secs(i.wantedDurationMs)} (±${secs(tol)})`
      add("duration", off <= tol ? "ok" : off <= 2 * tol ? "review" : "fail", off <= tol ? detail : `${detail}: ${secs(off)} off`)
    }
  }

  if (p.lossless) {
    if (i.spectrum === null) {
      checks.push({ name: "transcode", ok: true, detail: `not checked: ${p.format} is not decoded here` })
    } else if (i.spectrum.silent) {
      checks.push({ name: "transcode", ok: true, detail: "not judged: the checked parts are silent" })
    } else {
      const v = judgeCutoff(i.spectrum)
      const at = i.spectrum.cutoffHz === null ? "" : `${(i.spectrum.cutoffHz / 1000).toFixed(1)} kHz`
      add("transcode", v === "ok" ? "ok" : v === "borderline" ? "review" : "fail",
        v === "ok" ? (at ? `content up to ${at}` : "full spectrum, no lossy cutoff")
          : v === "borderline" ? `content stops at ${at}: could be made from a high-bitrate lossy file`
            : `content stops at ${at}: made from a lossy file`)
    }
  }

  const verdict: Verdict = fails.length > 0 ? "fail" : doubts.length > 0 ? "review" : "pass"
  return { verdict, checks, reason: fails[0] ?? doubts[0] ?? null }
}
