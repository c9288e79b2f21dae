import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"

/** One request a notification target or media server received. */
export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly at: number
}

/** How the receiver answers the next requests: a status (with optional Retry-After and body), or never. */
export type Answer =
  | { readonly status: number; readonly retryAfter?: string; readonly body?: string; readonly contentType?: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly hang: true }

export interface Receiver {
  readonly url: string
  readonly received: ReadonlyArray<Received>
  /** Answers used in order, one per request; when they run out, `fallback` (204 unless changed). */
  readonly answer: (...answers: ReadonlyArray<Answer>) => void
  readonly fallback: (answer: Answer) => void
  readonly clear: () => void
}

/**
 * A local HTTP server on 127.0.0.1 port 0 that records every request and answers as told:
 * 204, 401, 429 with Retry-After, 500, or hang (never answers until the server closes).
 */
export const makeReceiver = Effect.acquireRelease(
  Effect.async<{ server: Server; receiver: Receiver; hanging: Set<ServerResponse> }>((resume) => {
    const received: Array<Received> = []
    const queue: Array<Answer> = []
    const hanging = new Set<ServerResponse>()
    let otherwise: Answer = { status: 204 }
    const server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() })
        const a = queue.shift() ?? otherwise
        if ("hang" in a) {
          hanging.add(res)
          return
        }
        const headers: Record<string, string> = { ...a.headers }
        if (a.retryAfter !== undefined) headers["retry-after"] = a.retryAfter
        if (a.body !== undefined) headers["content-type"] = a.contentType ?? "application/json"
        res.writeHead(a.status, headers).end(a.body ?? "")
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({
        server, hanging,
        receiver: {
          url: `http://127.0.0.1:${port}`,
          received,
          answer: (...answers) => { queue.push(...answers) },
          fallback: (a) => { otherwise = a },
          clear: () => { received.length = 0; queue.length = 0 }
        }
      }))
    })
  }),
  ({ server, hanging }) => Effect.async<void>((resume) => {
    for (const res of hanging) res.destroy()
    server.closeAllConnections()
    server.close(() => resume(Effect.void))
  })
).pipe(Effect.map(({ receiver }) => receiver))

/**
 * Waits (real time, a few milliseconds at a time) until the receiver has recorded `n` requests:
 * work that runs under TestClock still does real I/O. Fails the test after `maxMillis`.
 */
export const untilReceived = (receiver: Receiver, n: number, maxMillis = 5000) =>
  Effect.gen(function*() {
    const started = Date.now()
    while (receiver.received.length < n) {
      if (Date.now() - started > maxMillis) return yield* Effect.dieMessage(`the receiver got ${receiver.received.length} of ${n} requests`)
      yield* Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))
    }
  })
