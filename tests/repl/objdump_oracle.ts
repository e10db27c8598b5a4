/**
 * GNU objdump as the reference for the disassembler: runs
 * `riscv64-linux-gnu-objdump -d` on a file and parses its instruction
 * lines, and assembles instruction words into a stripped executable so
 * objdump can be asked about any encoding.
 * @module
 */

/** The cross objdump used as the oracle. */
export const OBJDUMP = "riscv64-linux-gnu-objdump";
const AS = "riscv64-linux-gnu-as";
const LD = "riscv64-linux-gnu-ld";

/** One instruction line of objdump's output. */
export interface ObjdumpLine {
  /** Address. */
  pc: number;
  /** The instruction bits as objdump shows them. */
  word: number;
  /** Byte length (2 or 4). */
  length: number;
  /** Everything after the bytes column: mnemonic, operands, comment. */
  text: string;
}

/** True when `tool` can be run. */
export function haveTool(tool: string): boolean {
  try {
    return new Deno.Command(tool, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** objdump's instruction lines for `file` (`aliases` false adds `-M no-aliases`). */
export function objdump(file: string, aliases: boolean): ObjdumpLine[] {
  const args = ["-d", ...(aliases ? [] : ["-M", "no-aliases"]), file];
  const out = new Deno.Command(OBJDUMP, { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (!out.success) throw new Error(`objdump failed: ${new TextDecoder().decode(out.stderr)}`);
  const lines: ObjdumpLine[] = [];
  const re = /^ *([0-9a-f]+):\t([0-9a-f]+) *\t(.*)$/;
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const m = re.exec(line);
    if (!m) continue;
    lines.push({
      pc: parseInt(m[1], 16),
      word: parseInt(m[2], 16),
      length: m[2].length / 2,
      text: m[3],
    });
  }
  return lines;
}

/**
 * Assembles `words` (2- or 4-byte instruction encodings, in order) with
 * Zba/Zbb/Zbs enabled into a stripped executable at 0x10000 in `dir`;
 * returns its path.
 */
export function assemble(dir: string, words: readonly { length: 2 | 4; word: number }[]): string {
  const src = `${dir}/words.s`;
  const obj = `${dir}/words.o`;
  const exe = `${dir}/words`;
  const body = words.map((w) => `.insn ${w.length}, 0x${w.word.toString(16)}`).join("\n");
  Deno.writeTextFileSync(src, `.text\n.globl _start\n_start:\n${body}\n`);
  run(AS, ["-march=rv64gc_zba_zbb_zbs", "-o", obj, src]);
  run(LD, ["-s", "-Ttext=0x10000", "-o", exe, obj]);
  return exe;
}

function run(cmd: string, args: string[]): void {
  const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (!out.success) {
    throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr).slice(0, 2000)}`);
  }
}
