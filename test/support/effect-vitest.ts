/**
 * @effect/vitest with one fix, used in place of it by every test file (alias in vitest.config.ts).
 *
 * @effect/vitest 0.30's `layer(L)((it) => ...)` hands the block vitest's own, shared `it` after
 * writing L's `effect`, `scoped`, `layer`, `flakyTest` and `prop` onto it (Object.assign in
 * makeIt, node_modules/@effect/vitest/src/internal/internal.ts). So after the first layer block:
 * - a file's imported `it.layer(M)` is a layer *nested in L*: built on L's memo map, M shares
 *   L's services (its server, its middleware, the configuration L was built with);
 * - a file's imported `it.effect` runs inside L's runtime (L's ConfigProvider, L's logger);
 * - a `describe` inside a block, whose body vitest runs later, sees the block built last.
 * Here each block gets its own view of `it` (a Proxy over vitest's `it` with that block's
 * methods), and vitest's `it` is put back as it was right after the library writes onto it.
 */
import * as V from "vitest"
import * as EffectVitest from "@effect/vitest/index"

export * from "@effect/vitest/index"

const BLOCK_METHODS = ["effect", "scoped", "flakyTest", "prop"] as const

type Block = (it: any) => void
type Runner = (...args: [Block] | [string, Block]) => void

const shared = V.it as unknown as Record<string, unknown>

/** The methods the imported `it` has outside every layer block. */
let pristine: Record<string, unknown> = {}

/** A runner (what `layer(L, options)` returns) whose block gets its own `it`. */
const isolated = (runner: Runner): Runner => (...args) => {
  const block = args[args.length - 1] as Block
  const own = (written: Record<string, unknown>) => {
    const methods: Record<string, unknown> = Object.fromEntries(BLOCK_METHODS.map((k) => [k, written[k]]))
    const nested = written["layer"] as (...a: Array<unknown>) => Runner
    methods["layer"] = (...a: Array<unknown>) => isolated(nested(...a))
    // undo the library's writes: the imported `it` and every other block keep their own methods
    Object.assign(shared, pristine)
    return new Proxy(written, { get: (target, key, receiver) => Object.hasOwn(methods, key) ? methods[key as string] : Reflect.get(target, key, receiver) })
  }
  const wrapped: Block = (written) => block(own(written))
  if (args.length === 1) runner(wrapped)
  else runner(args[0], wrapped)
}

export const layer: typeof EffectVitest.layer = ((layer_: any, options?: any) =>
  isolated(EffectVitest.layer(layer_, options) as unknown as Runner)) as typeof EffectVitest.layer

shared["layer"] = layer
pristine = Object.fromEntries([...BLOCK_METHODS, "layer"].map((k) => [k, shared[k]]))
