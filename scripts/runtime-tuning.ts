/**
 * How the service's Node process is started (Dockerfile, the npm scripts; a test keeps them equal
 * to this), so that a long-running install stays small:
 * - V8's young generation is capped at 4 MiB per semi-space (default up to 16): under load the
 *   default grows it by ~40 MiB that stay resident, for no measurable throughput gain here;
 * - the old generation may grow to 1.5 times what was live after the last full GC (V8's own
 *   heuristic lets a heap of 30 MiB live reach 80 MiB under load before it collects);
 * - glibc's malloc returns freed memory: fixed mmap/trim thresholds of 64 KiB (by default they
 *   rise after the first large free, and tens of MiB of freed response buffers stay in the heap),
 *   and two arenas instead of eight per core for the few threads Node runs.
 * `npm run bench -- memory` measures both against plain `node`.
 */
export const NODE_FLAGS: ReadonlyArray<string> = ["--max-semi-space-size=4", "--heap-growing-percent=50"]
export const GLIBC_TUNABLES = "glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=65536:glibc.malloc.arena_max=2"
