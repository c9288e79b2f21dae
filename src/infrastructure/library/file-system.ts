import { Context, Layer } from "effect"
import { constants } from "node:fs"
import * as fs from "node:fs/promises"

export interface FileStat {
  readonly size: number
  readonly dev: number
  readonly ino: number
  readonly isFile: boolean
  readonly isDirectory: boolean
}

/**
 * The file operations the importer uses, as one service so tests can inject failures
 * (EXDEV for a library on another file system, a crash between two steps).
 */
export interface LibraryFsApi {
  /** null when nothing is there. */
  readonly stat: (path: string) => Promise<FileStat | null>
  readonly readdir: (path: string) => Promise<ReadonlyArray<string>>
  readonly mkdir: (path: string) => Promise<void>
  /** Copies and flushes the copy to the disk; refuses to replace an existing file. */
  readonly copyFile: (from: string, to: string) => Promise<void>
  /** Fails with EEXIST when `to` exists: the no-overwrite publish. */
  readonly link: (from: string, to: string) => Promise<void>
  readonly rename: (from: string, to: string) => Promise<void>
  /** Nothing there is fine. */
  readonly unlink: (path: string) => Promise<void>
  /** Makes a rename or link in this folder durable. */
  readonly fsyncDir: (path: string) => Promise<void>
}

const code = (e: unknown) => (e as { code?: string }).code

export const nodeLibraryFs: LibraryFsApi = {
  stat: async (p) => {
    try {
      const s = await fs.stat(p)
      return { size: s.size, dev: s.dev, ino: s.ino, isFile: s.isFile(), isDirectory: s.isDirectory() }
    } catch (e) {
      if (code(e) === "ENOENT" || code(e) === "ENOTDIR") return null
      throw e
    }
  },
  readdir: (p) => fs.readdir(p),
  mkdir: async (p) => {
    await fs.mkdir(p, { recursive: true })
  },
  copyFile: async (from, to) => {
    await fs.copyFile(from, to, constants.COPYFILE_EXCL)
    const fh = await fs.open(to, "r+")
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
  },
  link: (from, to) => fs.link(from, to),
  rename: (from, to) => fs.rename(from, to),
  unlink: async (p) => {
    try {
      await fs.unlink(p)
    } catch (e) {
      if (code(e) !== "ENOENT") throw e
    }
  },
  fsyncDir: async (p) => {
    const fh = await fs.open(p, "r")
    try {
      await fh.sync()
    } catch (e) {
      // some file systems (SMB, FUSE) cannot sync a folder; the file itself was synced
      if (code(e) !== "EINVAL" && code(e) !== "EISDIR" && code(e) !== "ENOTSUP") throw e
    } finally {
      await fh.close()
    }
  }
}

export class LibraryFs extends Context.Tag("soulspot/LibraryFs")<LibraryFs, LibraryFsApi>() {}

export const LibraryFsLive = Layer.succeed(LibraryFs, nodeLibraryFs)
