/**
 * A raw text/event-stream reader on node:http, for tests that check what goes over the wire:
 * frames as they arrive, comments (heartbeats) included. Waits are real and bounded: this is I/O.
 */
import { HttpServer } from "@effect/platform"
import { Effect, type Scope } from "effect"
import { type ClientRequest, type IncomingMessage, request } from "node:http"

export interface SseFrame {
  readonly id: number | undefined
  readonly event: string
  readonly data: string
}

export interface SseConnection {
  readonly status: number
  readonly headers: IncomingMessage["headers"]
  /** Every complete event frame received so far, in order. */
  readonly frames: ReadonlyArray<SseFrame>
  /** Comment lines (without the leading colon and space), e.g. "heartbeat". */
  readonly comments: ReadonlyArray<string>
  readonly raw: () => string
  /** Resolves once `done` holds; rejects after `ms` of real time, showing what arrived. */
  readonly waitFor: (done: (c: SseConnection) => boolean, ms?: number, what?: string) => Promise<void>
  /** True once the server ended the response or the socket closed. */
  readonly ended: () => boolean
  readonly close: () => void
}

const parseBlock = (block: string): { frame?: SseFrame; comments: Array<string> } => {
  const comments: Array<string> = []
  let id: number | undefined
  let event = "message"
  const data: Array<string> = []
  let hasField = false
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) {
      comments.push(line.slice(1).trim())
      continue
    }
    const colon = line.indexOf(":")
    const field = colon === -1 ? line : line.slice(0, colon)
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "")
    if (field === "id") id = Number(value)
    else if (field === "event") event = value
    else if (field === "data") data.push(value)
    else continue
    hasField = true
  }
  return hasField && (data.length > 0 || event !== "message") ? { frame: { id, event, data: data.join("\n") }, comments } : { comments }
}

/** Opens `path` on the server at `port` (127.0.0.1) and starts reading. */
export const openSse = (port: number, path: string, headers: Record<string, string> = {}): Promise<SseConnection> =>
  new Promise((resolve, reject) => {
    let text = ""
    let pending = ""
    let ended = false
    const frames: Array<SseFrame> = []
    const comments: Array<string> = []
    const listeners = new Set<() => void>()
    const notify = () => listeners.forEach((l) => l())
    let req: ClientRequest | undefined = undefined
    let res: IncomingMessage | undefined = undefined

    const conn: SseConnection = {
      get status() {
        return res?.statusCode ?? 0
      },
      get headers() {
        return res?.headers ?? {}
      },
      frames,
      comments,
      raw: () => text,
      ended: () => ended,
      close: () => {
        ended = true
        req?.destroy()
        notify()
      },
      waitFor: (done, ms = 5_000, what = "condition") => new Promise<void>((ok, fail) => {
        const check = () => {
          if (done(conn)) {
            cleanup()
            ok()
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          fail(new Error(`SSE ${path}: ${what} not reached within ${ms} ms; received:\n${text.slice(-3000)}`))
        }, ms)
        const cleanup = () => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        listeners.add(check)
        check()
      })
    }

    req = request({ host: "127.0.0.1", port, path, method: "GET", headers: { accept: "text/event-stream", ...headers } }, (response) => {
      res = response
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => {
        text += chunk
        // Lines end with CRLF, LF or a lone CR, as EventSource reads them (a CR at the end of a
        // chunk waits for the next one, which may start with its LF).
        pending = (pending + chunk).replace(/\r\n|\r(?!$)/g, "\n")
        let cut: number
        while ((cut = pending.indexOf("\n\n")) !== -1) {
          const block = pending.slice(0, cut)
          pending = pending.slice(cut + 2)
          const parsed = parseBlock(block)
          comments.push(...parsed.comments)
          if (parsed.frame) frames.push(parsed.frame)
        }
        notify()
      })
      response.on("end", () => {
        ended = true
        notify()
      })
      response.on("close", () => {
        ended = true
        notify()
      })
      resolve(conn)
    })
    req.on("error", (e) => {
      ended = true
      notify()
      if (res === undefined) reject(e)
    })
    req.end()
  })

/** The port of the app's own server (NodeHttpServer.layerTest or layer on port 0). */
export const serverPort = Effect.map(HttpServer.HttpServer, (s) => s.address._tag === "TcpAddress" ? s.address.port : 0)

/** An SSE connection that is closed when the scope closes. */
export const sse = (path: string, headers: Record<string, string> = {}): Effect.Effect<SseConnection, never, HttpServer.HttpServer | Scope.Scope> =>
  Effect.flatMap(serverPort, (port) =>
    Effect.acquireRelease(Effect.promise(() => openSse(port, path, headers)), (c) => Effect.sync(() => c.close())))

/** Waits (real time, bounded) for a condition on the connection. */
export const until = (c: SseConnection, done: (c: SseConnection) => boolean, what?: string, ms = 5_000) =>
  Effect.promise(() => c.waitFor(done, ms, what))
