import { equal } from "node:assert/strict";
import { interpreterBytes } from "../../lib/cpu/wasm_interp.ts";
import { INTERPRETER_WASM } from "../../lib/cpu/wasm_interp_bytes.ts";

Deno.test("the committed WebAssembly interpreter bytes are what wasm_interp.ts generates", () => {
  const now = btoa(String.fromCharCode(...interpreterBytes()));
  equal(
    INTERPRETER_WASM,
    now,
    "lib/cpu/wasm_interp_bytes.ts is stale: run `deno run -A lib/cpu/wasm_interp.ts`",
  );
});
