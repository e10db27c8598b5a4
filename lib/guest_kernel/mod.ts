/**
 * The in-guest kernel's zkabi side: run a program under zkabi's M-mode
 * kernel (guests/kernel) and get what providing the Linux ABI costs in guest
 * instructions.
 *
 * ```ts
 * import { runGuestKernel } from "./lib/guest_kernel/mod.ts";
 * const r = runGuestKernel({
 *   program: "guests/bin/c/pthreads",
 *   kernelFile: "guests/bin/kernel/zkernel",
 * });
 * const g = r.guestKernel;
 * console.log(g.instretProgram, g.instretKernel, g.kernelCost.futex);
 * ```
 *
 * The same data is in `zkabi run --kernel guest --stats FILE`. {@linkcode kernelCostRows}
 * flattens it into table rows for reports.
 * @module
 */

export {
  CostRecorder,
  type CostSummary,
  type GuestKernelStats,
  PHASE_NAMES,
  summarize as summarizeCosts,
} from "./cost.ts";
export {
  CAUSE_TIMER,
  CSR_ZKPHASE,
  CSR_ZKTIMECMP,
  HALT_DEADLOCK,
  HALT_EXIT,
  HALT_PANIC,
  HALT_SIGNAL,
  HOST_HALT,
  HOST_READ_INPUT,
  HOST_WRITE_OUTPUT,
  Machine,
  type MachineEnd,
  type MachineIo,
  PRIV_M,
  PRIV_U,
  TID_OFFSET,
} from "./machine.ts";
export { BOOT_MAGIC, BOOT_VERSION, type BootInput, buildInput, type InputFile } from "./input.ts";
export {
  argumentFiles,
  type GuestKernelOptions,
  type GuestRunResult,
  type GuestRunStats,
  HINT_END,
  KERNEL_HEAP,
  KERNEL_HEAP_SIZE,
  KERNEL_IN_REPO,
  runGuestKernel,
} from "./run.ts";
export { type KernelCostRow, kernelCostRows } from "./table.ts";
