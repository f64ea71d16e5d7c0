// `TextDecoder` and `TextEncoder` for the wasm-bindgen glue, injected by esbuild
// (`--inject`) in place of the globals of those names. Browsers, Node, Deno and Bun have
// them as globals; Jest's jsdom environment does not (jsdom lacks them), so there they come
// from Node's `node:util`, reached through `process.getBuiltinModule` (Node 20.16+), which
// bundlers leave alone, unlike `require("node:util")`.
const source =
  typeof globalThis.TextDecoder === "function" && typeof globalThis.TextEncoder === "function"
    ? globalThis
    : globalThis.process?.getBuiltinModule?.("node:util");
if (!source) {
  throw new Error(
    "bec-usage needs TextDecoder and TextEncoder, and this environment has neither (Jest's jsdom environment on Node older than 20.16 is one); add them to the globals, e.g. from node:util",
  );
}

const { TextDecoder, TextEncoder } = source;
export { TextDecoder, TextEncoder };
