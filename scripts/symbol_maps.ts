/**
 * Regenerates the committed symbol maps of the stripped Rust guests
 * (`lib/analysis/symbol_maps/`) from their unstripped builds, when those
 * exist (`deno task guests` leaves them in the guests' target folders).
 *
 * ```sh
 * deno run -A scripts/symbol_maps.ts
 * ```
 * @module
 */

import { writeSymbolMaps } from "../lib/analysis/symbol_maps.ts";

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  console.log(`wrote: ${writeSymbolMaps(root).join(", ") || "nothing"}`);
}
