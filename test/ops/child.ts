/**
 * Real processes for the operations tests: start `node ...`, read its log lines, signal it,
 * time its exit. Every child is remembered and SIGKILLed by `killAll` (call it in afterEach or
 * afterAll), so a failing test never leaves one behind. All waits are real and bounded.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { get } from "node:http"
import { createServer } from "node:net"

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** Milliseconds from the signal (or from `waitExit`) to the exit. */
  readonly ms: number
}

export interface Child {
  readonly proc: ChildProcess
  /** Everything written to stdout and stderr so far. */
  readonly output: () => string
  /** Resolves with the first match of `pattern` in the output; rejects after `ms` or on exit. */
  readonly waitFor: (pattern: RegExp, ms?: number) => Promise<RegExpMatchArray>
  /** Sends `signal` and waits (at most `ms`) for the exit; rejects when it does not come. */
  readonly stop: (signal: NodeJS.Signals, ms?: number) => Promise<Exit>
  readonly exited: () => boolean
  readonly waitExit: (ms?: number) => Promise<Exit>
}

const children = new Set<ChildProcess>()

/** SIGKILL for every child still running. */
export const killAll = () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL")
  }
  children.clear()
}

/** The machine's environment without SoulSpot's own variables, plus `env`. */
export const childEnv = (env: Record<string, string>): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("SOULSPOT_")) base[k] = v
  return { ...base, ...env }
}

export const startNode = (args: ReadonlyArray<string>, options: { env: Record<string, string>; cwd?: string }): Child =>
  startProcess(process.execPath, args, options)

/** Any command (e.g. `npm start`), with the same bookkeeping as `startNode`. */
export const startProcess = (command: string, args: ReadonlyArray<string>, options: { env: Record<string, string>; cwd?: string }): Child => {
  const proc = spawn(command, [...args], {
    cwd: options.cwd ?? process.cwd(),
    env: childEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"]
  })
  children.add(proc)
  let text = ""
  const listeners = new Set<() => void>()
  const changed = () => { for (const l of [...listeners]) l() }
  proc.stdout!.on("data", (b: Buffer) => { text += b.toString("utf8"); changed() })
  proc.stderr!.on("data", (b: Buffer) => { text += b.toString("utf8"); changed() })
  let exit: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined
  proc.on("exit", (code, signal) => {
    exit = { code, signal, at: Date.now() }
    children.delete(proc)
    changed()
  })

  const tail = () => text.split("\n").slice(-25).join("\n")

  const waitFor = (pattern: RegExp, ms = 20_000) => new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(text)
      if (m) return done(() => resolve(m))
      if (exit) return done(() => reject(new Error(`exited (${exit!.code ?? exit!.signal}) before ${pattern} appeared:\n${tail()}`)))
    }
    const timer = setTimeout(() => done(() => reject(new Error(`${pattern} did not appear within ${ms} ms:\n${tail()}`))), ms)
    const done = (f: () => void) => {
      clearTimeout(timer)
      listeners.delete(check)
      f()
    }
    listeners.add(check)
    check()
  })

  const waitExit = (ms = 10_000, from = Date.now()) => new Promise<Exit>((resolve, reject) => {
    const check = () => {
      if (exit) return done(() => resolve({ code: exit!.code, signal: exit!.signal, ms: exit!.at - from }))
    }
    const timer = setTimeout(() => done(() => reject(new Error(`still running ${ms} ms later:\n${tail()}`))), ms)
    const done = (f: () => void) => {
      clearTimeout(timer)
      listeners.delete(check)
      f()
    }
    listeners.add(check)
    check()
  })

  return {
    proc,
    output: () => text,
    waitFor,
    exited: () => exit !== undefined,
    waitExit,
    stop: (signal, ms = 10_000) => {
      const from = Date.now()
      proc.kill(signal)
      return waitExit(ms, from)
    }
  }
}

/** The port from the service's "Listening on http://host:port" log line. */
export const listeningPort = async (child: Child, ms = 30_000): Promise<number> => {
  const m = await child.waitFor(/Listening on http:\/\/[^:\s"]+:(\d+)/, ms)
  return Number(m[1])
}

/** A TCP port free right now on 127.0.0.1. */
export const freePort = () => new Promise<number>((resolve, reject) => {
  const server = createServer()
  server.once("error", reject)
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resolve(port))
  })
})

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls `read` until `ok` holds; rejects after `ms` with the last value. */
export const pollUntil = async <A>(read: () => Promise<A>, ok: (a: A) => boolean, ms: number, what: string, every = 200): Promise<A> => {
  const deadline = Date.now() + ms
  let last = await read()
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms; last value ${JSON.stringify(last).slice(0, 2000)}`)
    await sleep(every)
    last = await read()
  }
  return last
}

/**
 * A GET over a connection of its own. fetch keeps sockets in a pool: when this process is starved
 * of CPU (the whole suite on two cores) the child may close an idle pooled socket before this
 * side notices, and the next request on it fails ("fetch failed") though the child is fine.
 * Rejects only when nothing answers (e.g. the child is gone).
 */
export const httpGet = (url: string) => new Promise<{ readonly status: number; readonly text: string }>((resolve, reject) => {
  get(url, { agent: false }, (res) => {
    let text = ""
    res.setEncoding("utf8")
    res.on("data", (chunk: string) => { text += chunk })
    res.on("end", () => resolve({ status: res.statusCode ?? 0, text }))
    res.on("error", reject)
  }).on("error", reject)
})

/** `httpGet` of a JSON answer that must be a 200. */
export const getJson = async <A>(url: string): Promise<A> => {
  const r = await httpGet(url)
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.text.slice(0, 500)}`)
  return JSON.parse(r.text) as A
}
