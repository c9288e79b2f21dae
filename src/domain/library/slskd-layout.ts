import { posix } from "node:path"

/**
 * Where slskd puts a finished download, from its source (src/slskd/Transfers/Downloads/DownloadService.cs,
 * DeriveDestination, and src/slskd/Files/FileService.cs, MoveFile): `<downloads>/<last remote
 * folder>/<file name>`; a name that exists already gets `_<DateTime.UtcNow.Ticks>` (18 digits)
 * before the extension. slskd 0.26 strips a Soulseek Qt share prefix (`@@abcde`) from the remote
 * path, 0.25 keeps it, so a file shared at the root of such a share lands in `<downloads>/` or in
 * `<downloads>/@@abcde/`. On Linux only NUL and "/" are replaced in names (by "_").
 */
const SHARE_PREFIX = /^@@[a-zA-Z0-9]{5,}$/

const cleanPart = (s: string) => s.replace(/[\u0000/]/g, "_")

/** Remote paths use "\" (Windows peers, Soulseek Qt) or "/". */
export const remoteParts = (remote: string): ReadonlyArray<string> => remote.split(/[\\/]/).filter((p) => p !== "")

/** The file's base name on the local disk. */
export const localBaseName = (remote: string): string => cleanPart(remoteParts(remote).at(-1) ?? remote)

/** Paths relative to slskd's downloads folder where the file is expected, most likely first. */
export const expectedRelativePaths = (remote: string): ReadonlyArray<string> => {
  const parts = remoteParts(remote)
  const file = localBaseName(remote)
  const folder = parts.length >= 2 ? cleanPart(parts[parts.length - 2]!) : null
  if (folder === null) return [file]
  if (SHARE_PREFIX.test(folder)) return [file, posix.join(folder, file)]
  return [posix.join(folder, file)]
}

const TICKS = /_\d{18}(\.[^.]*)?$/

/** "01 x_638912345678901234.flac" → "01 x.flac": the collision suffix slskd adds. */
export const stripTicks = (name: string): string => name.replace(TICKS, (_m, ext: string | undefined) => ext ?? "")

/** Does this local name belong to that remote file (itself, or itself with a collision suffix)? */
export const isSameName = (localName: string, remote: string): boolean => stripTicks(localName) === localBaseName(remote)

/**
 * slskd's own absolute path (from its DownloadFileComplete event) seen from this machine: the
 * part under slskd's downloads folder, joined onto ours. Without slskd's folder, every tail of
 * the path is a candidate (longest first).
 */
export const mapLocalFilename = (slskdPath: string, slskdDownloadsDir: string | null): ReadonlyArray<string> => {
  const norm = slskdPath.replace(/\\/g, "/")
  if (slskdDownloadsDir) {
    const root = slskdDownloadsDir.replace(/\\/g, "/").replace(/\/+$/, "")
    if (norm.startsWith(`${root}/`)) return [norm.slice(root.length + 1)]
  }
  const parts = norm.split("/").filter((p) => p !== "")
  return parts.map((_, i) => parts.slice(i).join("/")).filter((p) => !p.split("/").includes(".."))
}
