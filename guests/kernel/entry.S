/*
 * Boot, the trap vector, FP context save/restore, host calls and the
 * signal-return trampoline of zkabi's in-guest kernel.
 *
 * mscratch holds the running thread's save area (struct thread) while the
 * program runs; the trap vector swaps it with tp, saves the 31 integer
 * registers and mepc there, and calls trap_handler on the kernel stack.
 * FP registers are not saved on a trap: the kernel is built without FP
 * instructions, so they still hold the program's values; they are saved and
 * loaded only when the scheduler switches threads (fp_save / fp_load).
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	la sp, kstack_top
	la t0, trap_vector
	csrw mtvec, t0
	call kmain
1:	j 1b

	.text
	.align 4
	.globl trap_vector
trap_vector:
	csrrw tp, mscratch, tp
	sd ra, 8(tp)
	sd sp, 16(tp)
	sd gp, 24(tp)
	sd t0, 40(tp)
	sd t1, 48(tp)
	sd t2, 56(tp)
	sd s0, 64(tp)
	sd s1, 72(tp)
	sd a0, 80(tp)
	sd a1, 88(tp)
	sd a2, 96(tp)
	sd a3, 104(tp)
	sd a4, 112(tp)
	sd a5, 120(tp)
	sd a6, 128(tp)
	sd a7, 136(tp)
	sd s2, 144(tp)
	sd s3, 152(tp)
	sd s4, 160(tp)
	sd s5, 168(tp)
	sd s6, 176(tp)
	sd s7, 184(tp)
	sd s8, 192(tp)
	sd s9, 200(tp)
	sd s10, 208(tp)
	sd s11, 216(tp)
	sd t3, 224(tp)
	sd t4, 232(tp)
	sd t5, 240(tp)
	sd t6, 248(tp)
	csrr t0, mscratch
	sd t0, 32(tp)
	csrr t0, mepc
	sd t0, 0(tp)
	la sp, kstack_top
	mv a0, tp
	call trap_handler
	/* fall through with a0 = the thread to run */
	.globl return_to_user
return_to_user:
	mv tp, a0
	csrw mscratch, tp
	ld t0, 0(tp)
	csrw mepc, t0
	ld ra, 8(tp)
	ld sp, 16(tp)
	ld gp, 24(tp)
	ld t0, 40(tp)
	ld t1, 48(tp)
	ld t2, 56(tp)
	ld s0, 64(tp)
	ld s1, 72(tp)
	ld a0, 80(tp)
	ld a1, 88(tp)
	ld a2, 96(tp)
	ld a3, 104(tp)
	ld a4, 112(tp)
	ld a5, 120(tp)
	ld a6, 128(tp)
	ld a7, 136(tp)
	ld s2, 144(tp)
	ld s3, 152(tp)
	ld s4, 160(tp)
	ld s5, 168(tp)
	ld s6, 176(tp)
	ld s7, 184(tp)
	ld s8, 192(tp)
	ld s9, 200(tp)
	ld s10, 208(tp)
	ld s11, 216(tp)
	ld t3, 224(tp)
	ld t4, 232(tp)
	ld t5, 240(tp)
	ld t6, 248(tp)
	ld tp, 32(tp)
	mret

	.option push
	.option arch, +d
	.globl fp_save
fp_save:
	fsd f0, 256(a0)
	fsd f1, 264(a0)
	fsd f2, 272(a0)
	fsd f3, 280(a0)
	fsd f4, 288(a0)
	fsd f5, 296(a0)
	fsd f6, 304(a0)
	fsd f7, 312(a0)
	fsd f8, 320(a0)
	fsd f9, 328(a0)
	fsd f10, 336(a0)
	fsd f11, 344(a0)
	fsd f12, 352(a0)
	fsd f13, 360(a0)
	fsd f14, 368(a0)
	fsd f15, 376(a0)
	fsd f16, 384(a0)
	fsd f17, 392(a0)
	fsd f18, 400(a0)
	fsd f19, 408(a0)
	fsd f20, 416(a0)
	fsd f21, 424(a0)
	fsd f22, 432(a0)
	fsd f23, 440(a0)
	fsd f24, 448(a0)
	fsd f25, 456(a0)
	fsd f26, 464(a0)
	fsd f27, 472(a0)
	fsd f28, 480(a0)
	fsd f29, 488(a0)
	fsd f30, 496(a0)
	fsd f31, 504(a0)
	frcsr t0
	sd t0, 512(a0)
	ret

	.globl fp_load
fp_load:
	fld f0, 256(a0)
	fld f1, 264(a0)
	fld f2, 272(a0)
	fld f3, 280(a0)
	fld f4, 288(a0)
	fld f5, 296(a0)
	fld f6, 304(a0)
	fld f7, 312(a0)
	fld f8, 320(a0)
	fld f9, 328(a0)
	fld f10, 336(a0)
	fld f11, 344(a0)
	fld f12, 352(a0)
	fld f13, 360(a0)
	fld f14, 368(a0)
	fld f15, 376(a0)
	fld f16, 384(a0)
	fld f17, 392(a0)
	fld f18, 400(a0)
	fld f19, 408(a0)
	fld f20, 416(a0)
	fld f21, 424(a0)
	fld f22, 432(a0)
	fld f23, 440(a0)
	fld f24, 448(a0)
	fld f25, 456(a0)
	fld f26, 464(a0)
	fld f27, 472(a0)
	fld f28, 480(a0)
	fld f29, 488(a0)
	fld f30, 496(a0)
	fld f31, 504(a0)
	ld t0, 512(a0)
	fscsr t0
	ret
	.option pop

	/* Host calls: M-mode ECALLs to the bare-zkVM interface. */
	.globl host_halt
host_halt:
	li a7, 0x7a6b0000
	ecall
1:	j 1b

	.globl host_read_input
host_read_input:
	li a7, 0x7a6b0001
	ecall
	ret

	.globl host_write_output
host_write_output:
	li a7, 0x7a6b0002
	ecall
	ret

	/*
	 * Signal handlers return here (ra): Linux riscv64 returns through the
	 * vDSO's __vdso_rt_sigreturn, which is these two instructions. The
	 * program runs it in U-mode.
	 */
	.align 2
	.globl sigreturn_trampoline
sigreturn_trampoline:
	li a7, 139
	ecall

	.bss
	.align 4
kstack:
	.space 65536
	.globl kstack_top
kstack_top:
