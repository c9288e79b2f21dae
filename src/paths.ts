import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))

/**
 * Where static/, migrations/ and vendor/ live: beside the bundle in dist/, or the project
 * root when running from src/ (this file is src/paths.ts there).
 */
export const ASSET_ROOT = existsSync(join(here, "static")) ? here : resolve(here, "..")
export const STATIC_DIR = join(ASSET_ROOT, "static")
export const MIGRATIONS_DIR = join(ASSET_ROOT, "migrations")
/** htmx files copied beside the bundle; from node_modules otherwise. */
export const VENDOR_DIR = join(ASSET_ROOT, "vendor")
