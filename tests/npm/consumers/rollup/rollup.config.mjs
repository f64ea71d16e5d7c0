// The minimal config: resolve packages from node_modules (no browser option, no wasm plugin).
import { nodeResolve } from "@rollup/plugin-node-resolve";

export default {
  input: "main.js",
  output: { dir: process.env.OUT_DIR, format: "es" },
  plugins: [nodeResolve()],
};
