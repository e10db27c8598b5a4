/**
 * The zkabi command line.
 * @module
 */

if (import.meta.main) {
  console.error("zkabi: no commands yet");
  Deno.exit(125);
}
