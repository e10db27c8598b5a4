/** Host path text resolved as node:path resolve does (the run path does not load node:path). */
import assert from "node:assert/strict";
import { resolveHostPath } from "../../lib/vfs/host_path.ts";

Deno.test("resolveHostPath: relative paths join the base; . and .. and repeated slashes fold", () => {
  assert.equal(resolveHostPath("/work/main", "guests/bin"), "/work/main/guests/bin");
  assert.equal(resolveHostPath("/work/main", "./a//b/./c/"), "/work/main/a/b/c");
  assert.equal(resolveHostPath("/work/main", "../x"), "/work/x");
  assert.equal(resolveHostPath("/work/main", "."), "/work/main");
  assert.equal(resolveHostPath("/", "a"), "/a");
});

Deno.test("resolveHostPath: absolute paths ignore the base; .. never climbs above /", () => {
  assert.equal(resolveHostPath("/work", "/etc/../tmp/"), "/tmp");
  assert.equal(resolveHostPath("/work", "/../../a"), "/a");
  assert.equal(resolveHostPath("/work", "../../../.."), "/");
});

Deno.test("resolveHostPath agrees with node:path resolve", async () => {
  const { resolve } = await import("node:path");
  for (const [base, p] of [["/a/b", "c/../../d"], ["/", "x/./y/.."], ["/q", "/r//s/../t/."]]) {
    assert.equal(resolveHostPath(base, p), resolve(base, p));
  }
});
