/**
 * The memory settings of scripts/runtime-tuning.ts are the ones every way of starting the
 * service uses (the container image, `npm start`, `npm run start:dist`), and they take effect.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { GLIBC_TUNABLES, NODE_FLAGS } from "../../scripts/runtime-tuning.js"

const root = join(import.meta.dirname, "..", "..")
const read = (file: string) => readFileSync(join(root, file), "utf8")

describe("runtime memory settings", () => {
  it("the container image sets the malloc tunables and starts node with the flags", () => {
    const docker = read("Dockerfile")
    const runtime = docker.slice(docker.lastIndexOf("\nFROM "))
    expect(runtime).toContain(`GLIBC_TUNABLES=${GLIBC_TUNABLES}`)
    expect(runtime).toContain(`CMD ${JSON.stringify(["node", ...NODE_FLAGS, "soulspot.mjs"])}`.replace(/","/g, "\", \""))
  })

  it.each(["start", "start:dist"])("npm run %s uses the same settings", (script) => {
    const command = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts[script] ?? ""
    expect(command).toMatch(new RegExp(`^exec env GLIBC_TUNABLES=${GLIBC_TUNABLES.replace(/\./g, "\\.")} node ${NODE_FLAGS.join(" ")} `))
  })

  it("the flag caps V8's young generation (8 MiB instead of 32 under allocation)", () => {
    const program = "const v8=require('v8');let a=[];for(let i=0;i<2e6;i++){a.push({i});if(a.length>1e5)a=[]}" +
      "process.stdout.write(String(v8.getHeapSpaceStatistics().find((s)=>s.space_name==='new_space').space_size))"
    const run = (flags: ReadonlyArray<string>) => Number(execFileSync(process.execPath, [...flags, "-e", program], {
      encoding: "utf8", env: { PATH: process.env.PATH ?? "", GLIBC_TUNABLES }
    }))
    expect(run(NODE_FLAGS)).toBeLessThanOrEqual(8 * 1048576)
    expect(run([])).toBeGreaterThan(8 * 1048576)
  })
})
