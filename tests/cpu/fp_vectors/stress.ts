/**
 * Checks reference vectors read from stdin (gen.c stress mode) against
 * executeFp; prints a summary and the first failures, exits 1 on any.
 * @module
 */

import { checkVector, describeVector, DISTINCT, parseVectors } from "../fpu_vectors.ts";

const text = new TextDecoder().decode(await new Response(Deno.stdin.readable).arrayBuffer());
const vectors = parseVectors(text);
const failures: string[] = [];
for (const v of vectors) {
  const msg = checkVector(v, false, DISTINCT);
  if (msg !== "") failures.push(`${describeVector(v)}: ${msg}`);
}
console.log(`stress: ${vectors.length} vectors, ${vectors.length - failures.length} passed`);
for (const f of failures.slice(0, 30)) console.log(f);
if (failures.length > 0) Deno.exit(1);
