/**
 * Flag and command values of the Linux ABI on riscv64 (asm-generic): open(2)
 * flags, poll(2) events, the `*at` calls' AT_ flags, lseek whence values and
 * the terminal and file ioctl requests zkabi implements.
 * @module
 */

/** poll(2) event bits (asm-generic/poll.h). */
export const POLLIN = 0x1;
/** Urgent data. */
export const POLLPRI = 0x2;
/** Writable. */
export const POLLOUT = 0x4;
/** Error condition (a pipe's write end with no readers). */
export const POLLERR = 0x8;
/** Hang-up (a pipe's read end with no writers). */
export const POLLHUP = 0x10;
/** Not an open descriptor. */
export const POLLNVAL = 0x20;
/** Normal data readable (reported with POLLIN). */
export const POLLRDNORM = 0x40;
/** Normal data writable (reported with POLLOUT). */
export const POLLWRNORM = 0x100;

/** Open flags (asm-generic/fcntl.h, as on riscv64). */
export const O_ACCMODE = 0o3;
/** Read only. */
export const O_RDONLY = 0o0;
/** Write only. */
export const O_WRONLY = 0o1;
/** Read and write. */
export const O_RDWR = 0o2;
/** Create if missing. */
export const O_CREAT = 0o100;
/** With O_CREAT: fail if it exists. */
export const O_EXCL = 0o200;
/** Do not make it the controlling terminal. */
export const O_NOCTTY = 0o400;
/** Truncate to zero length. */
export const O_TRUNC = 0o1000;
/** Writes append. */
export const O_APPEND = 0o2000;
/** Non-blocking I/O. */
export const O_NONBLOCK = 0o4000;
/** Synchronized data writes. */
export const O_DSYNC = 0o10000;
/** Signal-driven I/O. */
export const FASYNC = 0o20000;
/** Direct I/O. */
export const O_DIRECT = 0o40000;
/** Large file (always implied on 64-bit). */
export const O_LARGEFILE = 0o100000;
/** Must be a directory. */
export const O_DIRECTORY = 0o200000;
/** Do not follow a final symlink. */
export const O_NOFOLLOW = 0o400000;
/** Do not update the access time. */
export const O_NOATIME = 0o1000000;
/** Close on exec. */
export const O_CLOEXEC = 0o2000000;
/** Synchronized writes (with O_DSYNC). */
export const O_SYNC = 0o4010000;
/** A location-only descriptor. */
export const O_PATH = 0o10000000;
/** Unnamed temporary file (with O_DIRECTORY). */
export const O_TMPFILE = 0o20200000;

/** at-flags and special dirfd (linux/fcntl.h). */
export const AT_FDCWD: number = -100;
/** Do not follow a final symlink. */
export const AT_SYMLINK_NOFOLLOW = 0x100;
/** unlinkat: remove a directory. */
export const AT_REMOVEDIR = 0x200;
/** faccessat2: use effective ids. */
export const AT_EACCESS = 0x200;
/** linkat: follow a final symlink. */
export const AT_SYMLINK_FOLLOW = 0x400;
/** Do not automount. */
export const AT_NO_AUTOMOUNT = 0x800;
/** An empty path names dirfd itself. */
export const AT_EMPTY_PATH = 0x1000;
/** statx sync-type bits. */
export const AT_STATX_SYNC_TYPE = 0x6000;

/** lseek whence values. */
export const SEEK_SET = 0;
/** Relative to the current offset. */
export const SEEK_CUR = 1;
/** Relative to the end. */
export const SEEK_END = 2;
/** Next data at or after the offset. */
export const SEEK_DATA = 3;
/** Next hole at or after the offset. */
export const SEEK_HOLE = 4;

/** ioctl requests (asm-generic/ioctls.h). */
export const TCGETS = 0x5401;
/** Set termios now. */
export const TCSETS = 0x5402;
/** Set termios after output drains. */
export const TCSETSW = 0x5403;
/** Set termios after flushing input. */
export const TCSETSF = 0x5404;
/** Foreground process group. */
export const TIOCGPGRP = 0x540f;
/** Set the foreground process group. */
export const TIOCSPGRP = 0x5410;
/** Window size. */
export const TIOCGWINSZ = 0x5413;
/** Set the window size. */
export const TIOCSWINSZ = 0x5414;
/** Bytes available to read. */
export const FIONREAD = 0x541b;
/** Set or clear O_NONBLOCK. */
export const FIONBIO = 0x5421;
/** Clear FD_CLOEXEC. */
export const FIONCLEX = 0x5450;
/** Set FD_CLOEXEC. */
export const FIOCLEX = 0x5451;
