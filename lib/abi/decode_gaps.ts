/**
 * strace's decoders for the calls zkabi added after its socket family:
 * splice, tee, copy_file_range, signalfd4, rt_sigqueueinfo,
 * rt_tgsigqueueinfo, futex_waitv and the inotify calls (strace 6.x output):
 *
 * ```
 * splice(3, NULL, 6, [0], 4096, SPLICE_F_MOVE|SPLICE_F_NONBLOCK) = 5
 * tee(3, 5, 4096, SPLICE_F_NONBLOCK) = 5
 * copy_file_range(3, [0], 4, NULL, 65536, 0) = 100
 * signalfd4(-1, [USR1 USR2], 8, SFD_CLOEXEC|SFD_NONBLOCK) = 3
 * rt_sigqueueinfo(1000, SIGUSR1, {si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=1000, si_uid=1000, si_int=7, si_ptr=0x7}) = 0
 * inotify_init1(IN_NONBLOCK|IN_CLOEXEC) = 3
 * inotify_add_watch(3, "/tmp/d", IN_MODIFY|IN_CREATE|IN_DELETE) = 1
 * futex_waitv([{val=0, uaddr=0x12340, flags=FUTEX2_SIZE_U32}], 1, 0, NULL, CLOCK_MONOTONIC) = 0
 * sendfile(9, 3, [7], 5) = 5
 * ```
 *
 * One difference: strace prints splice's and copy_file_range's offsets as
 * read at entry (and sendfile's as `[2] => [7]`); zkabi decodes at exit and
 * prints the offsets the call left behind.
 * @module
 */

import type { DecodeContext, Decoded, Decoder } from "./decode.ts";
import { signalText, sigsetText } from "./signals.ts";
import { CLOCK_IDS, enumText, flagsText, type Xlat } from "./xlat.ts";

function xl(unknown: string, entries: readonly (readonly [number, string])[]): Xlat {
  return { unknown, entries: entries.map(([v, n]) => [BigInt(v), n] as const) };
}

/** SPLICE_F_ flags. */
export const SPLICE_FLAGS: Xlat = xl("SPLICE_F_???", [
  [1, "SPLICE_F_MOVE"],
  [2, "SPLICE_F_NONBLOCK"],
  [4, "SPLICE_F_MORE"],
  [8, "SPLICE_F_GIFT"],
]);

/** signalfd4 flags. */
export const SFD_FLAGS: Xlat = xl("SFD_???", [[0o2000000, "SFD_CLOEXEC"], [
  0o4000,
  "SFD_NONBLOCK",
]]);

/** inotify_init1 flags. */
export const IN_INIT_FLAGS: Xlat = xl("IN_???", [[0o4000, "IN_NONBLOCK"], [
  0o2000000,
  "IN_CLOEXEC",
]]);

/** inotify event masks. */
export const IN_MASKS: Xlat = xl("IN_???", [
  [0x1, "IN_ACCESS"],
  [0x2, "IN_MODIFY"],
  [0x4, "IN_ATTRIB"],
  [0x8, "IN_CLOSE_WRITE"],
  [0x10, "IN_CLOSE_NOWRITE"],
  [0x20, "IN_OPEN"],
  [0x40, "IN_MOVED_FROM"],
  [0x80, "IN_MOVED_TO"],
  [0x100, "IN_CREATE"],
  [0x200, "IN_DELETE"],
  [0x400, "IN_DELETE_SELF"],
  [0x800, "IN_MOVE_SELF"],
  [0x2000, "IN_UNMOUNT"],
  [0x4000, "IN_Q_OVERFLOW"],
  [0x8000, "IN_IGNORED"],
  [0x1000000, "IN_ONLYDIR"],
  [0x2000000, "IN_DONT_FOLLOW"],
  [0x4000000, "IN_EXCL_UNLINK"],
  [0x10000000, "IN_MASK_CREATE"],
  [0x20000000, "IN_MASK_ADD"],
  [0x40000000, "IN_ISDIR"],
  [0x80000000, "IN_ONESHOT"],
]);

/** si_code values a sender may use. */
const SI_CODES: Xlat = xl("SI_???", [
  [0, "SI_USER"],
  [-1, "SI_QUEUE"],
  [-2, "SI_TIMER"],
  [-3, "SI_MESGQ"],
  [-4, "SI_ASYNCIO"],
  [-6, "SI_TKILL"],
]);

function loffText(c: DecodeContext, i: number): string {
  const p = c.ptr(i);
  if (p === 0) return "NULL";
  const v = c.view(p, 8);
  return v ? `[${v.getBigInt64(0, true)}]` : c.addr(i);
}

function siginfoText(c: DecodeContext, i: number): string {
  return c.struct(i, 128, (v) => {
    const signo = v.getInt32(0, true);
    const code = v.getInt32(8, true);
    const val = v.getBigUint64(24, true);
    return `{si_signo=${signalText(signo)}, si_code=${enumText(SI_CODES, code)}, ` +
      `si_pid=${v.getInt32(16, true)}, si_uid=${v.getUint32(20, true)}, ` +
      `si_int=${Number(BigInt.asIntN(32, val))}, si_ptr=0x${val.toString(16)}}`;
  });
}

/** The decoders, merged into `DECODERS`. */
export const GAP_DECODERS: Readonly<Record<string, Decoder>> = {
  splice: (c): Decoded => ({
    args: [
      c.fd(0),
      loffText(c, 1),
      c.fd(2),
      loffText(c, 3),
      c.ulong(4),
      flagsText(SPLICE_FLAGS, c.uint(5)),
    ],
  }),
  sendfile: (c): Decoded => ({
    args: [c.fd(0), c.fd(1), loffText(c, 2), c.ulong(3)],
  }),
  tee: (c): Decoded => ({
    args: [c.fd(0), c.fd(1), c.ulong(2), flagsText(SPLICE_FLAGS, c.uint(3))],
  }),
  copy_file_range: (c): Decoded => ({
    args: [c.fd(0), loffText(c, 1), c.fd(2), loffText(c, 3), c.ulong(4), `${c.uint(5)}`],
  }),
  signalfd4: (c): Decoded => ({
    args: [
      c.fd(0),
      c.struct(1, 8, (v) => sigsetText(v.getBigUint64(0, true))),
      c.ulong(2),
      flagsText(SFD_FLAGS, c.uint(3)),
    ],
  }),
  rt_sigqueueinfo: (c): Decoded => ({
    args: [`${c.int(0)}`, signalText(c.int(1)), siginfoText(c, 2)],
  }),
  rt_tgsigqueueinfo: (c): Decoded => ({
    args: [`${c.int(0)}`, `${c.int(1)}`, signalText(c.int(2)), siginfoText(c, 3)],
  }),
  inotify_init1: (c): Decoded => ({ args: [flagsText(IN_INIT_FLAGS, c.uint(0))] }),
  inotify_add_watch: (c): Decoded => ({
    args: [c.fd(0), c.path(1), flagsText(IN_MASKS, c.uint(2))],
  }),
  inotify_rm_watch: (c): Decoded => ({ args: [c.fd(0), `${c.int(1)}`] }),
  futex_waitv: (c): Decoded => {
    const n = c.uint(1);
    const items: string[] = [];
    for (let i = 0; i < Math.min(n, c.strsize); i++) {
      const v = c.view(c.ptr(0) + 24 * i, 24);
      if (!v) {
        items.length = 0;
        break;
      }
      const fl = v.getUint32(16, true);
      const size =
        ["FUTEX2_SIZE_U8", "FUTEX2_SIZE_U16", "FUTEX2_SIZE_U32", "FUTEX2_SIZE_U64"][fl & 3];
      const priv = fl & 128 ? "|FUTEX2_PRIVATE" : "";
      items.push(
        `{val=${v.getBigUint64(0, true)}, uaddr=0x${v.getBigUint64(8, true).toString(16)}, ` +
          `flags=${size}${priv}}`,
      );
    }
    const vec = items.length > 0 || n === 0 ? `[${items.join(", ")}]` : c.addr(0);
    const ts = c.struct(
      3,
      16,
      (v) => `{tv_sec=${v.getBigInt64(0, true)}, tv_nsec=${v.getBigInt64(8, true)}}`,
    );
    return { args: [vec, `${n}`, `${c.uint(2)}`, ts, enumText(CLOCK_IDS, c.int(4))] };
  },
};
