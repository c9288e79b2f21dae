// Scalar's API reference viewer, as @effect/platform ships it (used by src/api/docs.ts and scripts/build.ts).
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"

export const SCALAR_FILE = "scalar.js"

/** Where @effect/platform 0.97 keeps the viewer (not in its package exports, so by file path). */
export const scalarModuleFile = (): string =>
  join(dirname(createRequire(import.meta.url).resolve("@effect/platform/package.json")), "dist", "esm", "internal", "httpApiScalar.js")

/** The viewer script, from @effect/platform's module. */
export const loadScalarScript = (): Promise<string> =>
  import(pathToFileURL(scalarModuleFile()).href).then((m: { readonly javascript: string }) => m.javascript)
