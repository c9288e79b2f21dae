/**
 * Transcode detection on decoded PCM. A lossy encoder low-passes the signal (MP3 at 128 kbps
 * around 16 kHz, 320 kbps around 20 kHz); a lossless file made from one keeps that cliff: above
 * it, every band sits far below the bands just under it. Genuine CD audio rolls off gradually
 * or only at the anti-alias filter near 21-22 kHz.
 */

const FFT_SIZE = 4096
const BAND_HZ = 250
/** A cliff: the bands above are at least this much quieter than the 1 kHz just below. */
const CLIFF_DB = 25
const SILENT_DB = -90

/** In-place iterative radix-2 FFT of a real signal; returns |X[k]|² for k < n/2. */
const powerSpectrum = (frame: Float64Array): Float64Array => {
  const n = frame.length
  const re = Float64Array.from(frame)
  const im = new Float64Array(n)
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1
    for (; j & bit; bit >>= 1) j ^= bit
    j ^= bit
    if (i < j) {
      ;[re[i], re[j]] = [re[j]!, re[i]!]
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len
    const wr = Math.cos(ang)
    const wi = Math.sin(ang)
    for (let i = 0; i < n; i += len) {
      let cr = 1
      let ci = 0
      for (let k = 0; k < len / 2; k++) {
        const a = i + k
        const b = a + len / 2
        const tr = re[b]! * cr - im[b]! * ci
        const ti = re[b]! * ci + im[b]! * cr
        re[b] = re[a]! - tr
        im[b] = im[a]! - ti
        re[a] = re[a]! + tr
        im[a] = im[a]! + ti
        const ncr = cr * wr - ci * wi
        ci = cr * wi + ci * wr
        cr = ncr
      }
    }
  }
  const out = new Float64Array(n / 2)
  for (let k = 0; k < n / 2; k++) out[k] = re[k]! * re[k]! + im[k]! * im[k]!
  return out
}

export interface SpectrumReading {
  /** Highest frequency with content before a cliff; null when there is no cliff. */
  readonly cutoffHz: number | null
  /** Too quiet to judge (digital silence). */
  readonly silent: boolean
  readonly windows: number
}

/** Average band levels (dB) over Hann-windowed frames of the given mono segments. */
export const bandLevels = (segments: ReadonlyArray<Float32Array>, sampleRate: number): { levels: Float64Array; windows: number } => {
  const hann = Float64Array.from({ length: FFT_SIZE }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (FFT_SIZE - 1)))
  const acc = new Float64Array(FFT_SIZE / 2)
  let windows = 0
  for (const s of segments) {
    for (let start = 0; start + FFT_SIZE <= s.length && windows < 400; start += FFT_SIZE) {
      const frame = new Float64Array(FFT_SIZE)
      for (let i = 0; i < FFT_SIZE; i++) frame[i] = s[start + i]! * hann[i]!
      const p = powerSpectrum(frame)
      for (let k = 0; k < p.length; k++) acc[k] = acc[k]! + p[k]!
      windows++
    }
  }
  const binHz = sampleRate / FFT_SIZE
  const bands = Math.floor(sampleRate / 2 / BAND_HZ)
  const levels = new Float64Array(bands)
  for (let b = 0; b < bands; b++) {
    let sum = 0
    let count = 0
    for (let k = Math.floor((b * BAND_HZ) / binHz); k < Math.min(acc.length, Math.floor(((b + 1) * BAND_HZ) / binHz)); k++) {
      sum += acc[k]!
      count++
    }
    const mean = count > 0 && windows > 0 ? sum / count / windows / (FFT_SIZE * FFT_SIZE / 4) : 0
    levels[b] = 10 * Math.log10(mean + 1e-20)
  }
  return { levels, windows }
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? -Infinity
}

/**
 * Finds the lowest cliff above 10 kHz: every band above it is CLIFF_DB below the typical band of
 * the 2 kHz under it (a median, so a loud tone does not count as a level).
 */
export const readSpectrum = (segments: ReadonlyArray<Float32Array>, sampleRate: number): SpectrumReading => {
  const { levels, windows } = bandLevels(segments, sampleRate)
  const loudest = Math.max(...levels)
  if (windows === 0 || loudest < SILENT_DB) return { cutoffHz: null, silent: true, windows }
  const span = 2000 / BAND_HZ
  // the top band holds the Nyquist edge of the anti-alias filter: left out
  const top = levels.length - 1
  for (let b = Math.round(10_000 / BAND_HZ); b < top; b++) {
    const below = median(Array.from(levels.subarray(b - span, b)))
    let aboveMax = -Infinity
    for (let i = b; i < top; i++) aboveMax = Math.max(aboveMax, levels[i]!)
    if (below - aboveMax >= CLIFF_DB && below > loudest - 80) return { cutoffHz: b * BAND_HZ, silent: false, windows }
  }
  return { cutoffHz: null, silent: false, windows }
}

export type SpectrumVerdict = "ok" | "borderline" | "transcode"

/** Below 19 kHz: made from a lossy file. 19-20.5 kHz: could be either (a 320 kbps source, or a dark master). */
export const judgeCutoff = (r: SpectrumReading): SpectrumVerdict =>
  r.silent || r.cutoffHz === null ? "ok" : r.cutoffHz < 19_000 ? "transcode" : r.cutoffHz < 20_500 ? "borderline" : "ok"
