import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: {
    // each layer(...) block gets its own `it` (test/support/effect-vitest.ts says why)
    alias: [{ find: /^@effect\/vitest$/, replacement: fileURLToPath(new URL("./test/support/effect-vitest.ts", import.meta.url)) }]
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // two cores: keep files in parallel but bounded so the browser test has room
    maxWorkers: 2,
    minWorkers: 1
  }
})
