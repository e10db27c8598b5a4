import { deepEqual, equal, ok } from "node:assert/strict";
import type { Kernel } from "../../lib/kernel/kernel.ts";
import { regionKey } from "../../lib/cpu/region_store.ts";
import { fileRegionStore, MAX_REGION_BYTES } from "../../lib/run/region_files.ts";
import { run } from "../../lib/run/run.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function withDir(f: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "zkabi-regions-" });
  try {
    f(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const BLOCKS = [
  { pcs: [0x10000, 0x10004], words: [23 | (10 << 8) | (10 << 14), 7], imms: [1, -8] },
  { pcs: [0x3f_ffff_fff0], words: [5], imms: [0] },
];

Deno.test("a region's key is its exact description", () => {
  const a = regionKey(BLOCKS, [0x10008]);
  deepEqual(regionKey(BLOCKS, [0x10008]), a);
  ok(regionKey(BLOCKS, [0x1000a]).some((b, i) => b !== a[i]), "another return point");
  const moved = [{ ...BLOCKS[0], imms: [1, -6] }, BLOCKS[1]];
  ok(regionKey(moved, [0x10008]).some((b, i) => b !== a[i]), "another immediate");
});

Deno.test("a region store gives back what it kept, for that description only", () => {
  withDir((dir) => {
    const store = fileRegionStore(`${dir}/s`);
    const key = regionKey(BLOCKS, []);
    equal(store.load(key), undefined);
    store.save(key, new Uint8Array([0, 97, 115, 109, 1, 2, 3]));
    deepEqual(store.load(key), new Uint8Array([0, 97, 115, 109, 1, 2, 3]));
    equal(store.load(regionKey(BLOCKS, [4])), undefined);
    // A file under the key's name that holds another description, or is cut short: a miss.
    const [file] = [...Deno.readDirSync(`${dir}/s`)].map((e) => `${dir}/s/${e.name}`);
    const data = Deno.readFileSync(file);
    data[12] ^= 1;
    Deno.writeFileSync(file, data);
    equal(store.load(key), undefined);
    Deno.writeFileSync(file, data.subarray(0, 10));
    equal(store.load(key), undefined);
  });
});

Deno.test("a region store keeps at most its limit of regions, none too large", () => {
  withDir((dir) => {
    const store = fileRegionStore(dir, 2);
    store.save(regionKey(BLOCKS, [9]), new Uint8Array(MAX_REGION_BYTES));
    equal([...Deno.readDirSync(dir)].length, 0);
    for (let i = 0; i < 4; i++) store.save(regionKey(BLOCKS, [i]), new Uint8Array([i]));
    equal([...Deno.readDirSync(dir)].length, 2);
  });
});

Deno.test("regions kept by one run are loaded by the next, which gives the same results", () => {
  withDir((dir) => {
    const once = () => {
      let kernel: Kernel | undefined;
      const r = run({
        program: `${ROOT}guests/bin/rust/stateless-static`,
        // Relative to cwd: the guest sees the working directory (under /tmp, at /cwd).
        args: ["guests/fixtures/stateless_input.json"],
        cwd: ROOT,
        stdout: "capture",
        stderr: "capture",
        regionCache: dir,
        onKernel: (k) => (kernel = k),
      });
      const { wallSeconds: _, ...stats } = r.stats;
      return { r: { status: r.status, stdout: r.stdout, stats }, cpu: kernel!.cpu };
    };
    const first = once();
    equal(first.r.status, 0);
    ok(first.cpu.compiledRegions > 0);
    equal(first.cpu.stats.regionsLoaded, 0);
    equal([...Deno.readDirSync(dir)].length, first.cpu.compiledRegions);
    const second = once();
    equal(second.cpu.stats.regionsLoaded, second.cpu.compiledRegions);
    equal(second.cpu.compiledRegions, first.cpu.compiledRegions);
    deepEqual(second.r, first.r);
  });
});
