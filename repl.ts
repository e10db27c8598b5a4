/**
 * The zkabi REPL.
 * @module
 */

if (import.meta.main) {
  console.error("zkabi repl: not yet");
  Deno.exit(125);
}
