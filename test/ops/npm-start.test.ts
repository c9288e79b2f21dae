/**
 * `npm start` as a supervisor runs it: SIGTERM goes to the pid it spawned (npm's), and the
 * service must stop within 5 s and free its port, leaving no process behind. The start script
 * `exec`s node, so npm's shell is replaced by the service and npm forwards the signal to it.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { createConnection } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, expect, it } from "vitest"
import { freePort, killAll, listeningPort, pollUntil, startProcess } from "./child.js"

const dirs: Array<string> = []
afterEach(() => killAll())
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

const accepts = (port: number) => new Promise<boolean>((resolve) => {
  const socket = createConnection({ port, host: "127.0.0.1" })
  socket.once("connect", () => { socket.destroy(); resolve(true) })
  socket.once("error", () => resolve(false))
})

/** Whether a process with this pid still exists (signal 0 only checks). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

it.each(["SIGTERM", "SIGINT"] as const)("%s to npm start's pid stops the service within 5 s and frees the port", async (signal) => {
  const dir = mkdtempSync(join(tmpdir(), "soulspot-npm-start-"))
  dirs.push(dir)
  const child = startProcess("npm", ["start", "--silent"], {
    env: {
      SOULSPOT_PORT: "0", SOULSPOT_HOST: "127.0.0.1", SOULSPOT_DB: join(dir, "soulspot.db"),
      // nothing listens here, so the service starts without slskd
      SOULSPOT_SLSKD_URL: `http://127.0.0.1:${await freePort()}`
    }
  })
  const port = await listeningPort(child, 60_000)
  expect(await accepts(port)).toBe(true)
  const exit = await child.stop(signal, 8_000)
  expect(exit.ms).toBeLessThan(5_000)
  expect(child.output()).toContain("stopping")
  await pollUntil(() => accepts(port), (open) => !open, 2_000, "port freed")
  expect(alive(child.proc.pid!)).toBe(false)
}, 90_000)
