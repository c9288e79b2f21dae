import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // two cores: keep files in parallel but bounded so the browser test has room
    maxWorkers: 2,
    minWorkers: 1
  }
})
