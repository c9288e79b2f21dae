import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// Tests state every setting they rely on (AppTest's env, ConfigProvider.fromMap): none may come
// from the shell that runs them, where a SOULSPOT_* variable would change what "the default" is.
for (const name of Object.keys(process.env)) if (name.startsWith("SOULSPOT_")) delete process.env[name]

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
