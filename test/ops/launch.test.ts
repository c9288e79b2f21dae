import { describe, expect, it } from "@effect/vitest"
import { isLoopback, openToNetworkWarning } from "../../src/launch.js"

describe("start-up warning without a key", () => {
  it.each([["127.0.0.1", true], ["127.1.2.3", true], ["::1", true], ["localhost", true], ["0.0.0.0", false], ["192.168.1.5", false], ["::", false]])(
    "%s is loopback: %s", (host, loopback) => expect(isLoopback(host)).toBe(loopback))

  it("names the risk and the two ways out", () => {
    const w = openToNetworkWarning("0.0.0.0", 8765)
    expect(w).toContain("SOULSPOT_API_KEY IS NOT SET")
    expect(w).toContain("0.0.0.0:8765")
    expect(w).toContain("ANYONE WHO CAN REACH THIS PORT")
    expect(w).toContain("SOULSPOT_HOST=127.0.0.1")
  })
})
