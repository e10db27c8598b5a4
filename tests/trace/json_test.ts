/**
 * The JSON-lines trace writer: one object per line, fixed key order,
 * bigints as hex strings, null for a missing result, optional fields left out.
 * @module
 */

import assert from "node:assert/strict";
import type { TraceEvent } from "../../lib/kernel/events.ts";
import { createJsonWriter, eventJson } from "../../lib/trace/json.ts";
import { sig, sys } from "./support.ts";

Deno.test("json: syscall event line", () => {
  const e = sys("write", [1, 0x12078, 38], 38, { seq: 3, fn: "main", instret: 1234 });
  assert.equal(
    eventJson(e),
    '{"kind":"syscall","seq":3,"tid":1000,"nr":64,"name":"write",' +
      '"args":["0x1","0x12078","0x26","0x0","0x0","0x0"],"result":38,"route":"emulate",' +
      '"pc":65536,"fn":"main","instret":1234,"phase":"app","blocked":false}',
  );
});

Deno.test("json: no result, optional and unknown fields, signals", () => {
  const e = sys("exit_group", [-1], undefined, { text: "-1" });
  const line = eventJson(e);
  assert.match(line, /"args":\["0xffffffffffffffff",/);
  assert.match(line, /"result":null,/);
  assert.match(line, /"blocked":false,"text":"-1"}$/);
  assert.ok(!line.includes("entry"));
  // Key order does not depend on the order the object was built in.
  const shuffled = Object.fromEntries(Object.entries(e).reverse()) as TraceEvent;
  assert.equal(eventJson(shuffled), line);
  const extra = { ...e, zeta: 1n, alpha: { b: 2, a: [3n] } } as unknown as TraceEvent;
  assert.match(eventJson(extra), /"text":"-1","alpha":\{"a":\["0x3"\],"b":2\},"zeta":"0x1"\}$/);
  assert.equal(
    eventJson(sig(11, 1, { addr: 16, action: "kill" })),
    '{"kind":"signal","seq":0,"tid":1000,"signo":11,"code":1,"action":"kill","instret":0,"addr":16}',
  );
});

Deno.test("json: writer emits one parseable line per event", () => {
  const out: string[] = [];
  const w = createJsonWriter((l) => out.push(l));
  w(sys("getpid", [], 1000));
  w(sig(23, -6, { pid: 1000, uid: 0 }));
  assert.equal(out.length, 2);
  for (const l of out) {
    assert.ok(!l.includes("\n"));
    JSON.parse(l);
  }
  assert.equal(JSON.parse(out[1]).pid, 1000);
});
