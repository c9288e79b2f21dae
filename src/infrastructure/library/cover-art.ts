import type { CoverImage } from "./audio-file.js"

const MAX_BYTES = 10 * 1024 * 1024
const TIMEOUT_MS = 15_000

/** The album cover from the catalog's URL: an image of at most 10 MiB, or a reason it was not used. */
export const fetchCover = async (url: string): Promise<CoverImage | { readonly error: string }> => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "follow" })
    if (!res.ok) return { error: `the cover answered HTTP ${res.status}` }
    const mimeType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase()
    if (mimeType !== "image/jpeg" && mimeType !== "image/png") return { error: `the cover is ${mimeType || "of no type"}, not JPEG or PNG` }
    const data = new Uint8Array(await res.arrayBuffer())
    if (data.length === 0 || data.length > MAX_BYTES) return { error: `the cover is ${data.length} bytes` }
    return { data, mimeType }
  } catch (e) {
    return { error: `the cover could not be fetched: ${(e as Error).message}` }
  }
}
