import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/build-lib.ts", "test/temp-dir.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
