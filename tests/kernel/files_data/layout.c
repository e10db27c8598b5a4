/* Prints sizes and field offsets of the riscv64 uapi structs the files
 * family writes, plus the flag and ioctl constants it relies on. Build:
 *   riscv64-linux-gnu-gcc -static -O1 -o /tmp/layout layout.c
 *   qemu-riscv64 /tmp/layout > layout.txt
 */
#include <stddef.h>
#include <stdio.h>
#include <asm/stat.h>
#include <asm/termbits.h>
#include <asm/ioctls.h>
#include <asm/termios.h>
#include <linux/stat.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/uio.h>
#include <linux/poll.h>
#include <asm/statfs.h>

struct linux_dirent64 {
  unsigned long long d_ino;
  long long d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

#define OFF(s, f) printf(#s "." #f " %zu\n", offsetof(struct s, f))
#define SIZE(s) printf("sizeof " #s " %zu\n", sizeof(struct s))
#define CONST(c) printf(#c " %ld\n", (long)(c))

int main(void) {
  SIZE(stat);
  OFF(stat, st_dev); OFF(stat, st_ino); OFF(stat, st_mode); OFF(stat, st_nlink);
  OFF(stat, st_uid); OFF(stat, st_gid); OFF(stat, st_rdev); OFF(stat, st_size);
  OFF(stat, st_blksize); OFF(stat, st_blocks); OFF(stat, st_atime);
  OFF(stat, st_atime_nsec); OFF(stat, st_mtime); OFF(stat, st_mtime_nsec);
  OFF(stat, st_ctime); OFF(stat, st_ctime_nsec);
  SIZE(statx);
  OFF(statx, stx_mask); OFF(statx, stx_blksize); OFF(statx, stx_attributes);
  OFF(statx, stx_nlink); OFF(statx, stx_uid); OFF(statx, stx_gid); OFF(statx, stx_mode);
  OFF(statx, stx_ino); OFF(statx, stx_size); OFF(statx, stx_blocks);
  OFF(statx, stx_attributes_mask); OFF(statx, stx_atime); OFF(statx, stx_btime);
  OFF(statx, stx_ctime); OFF(statx, stx_mtime); OFF(statx, stx_rdev_major);
  OFF(statx, stx_rdev_minor); OFF(statx, stx_dev_major); OFF(statx, stx_dev_minor);
  OFF(statx, stx_mnt_id);
  SIZE(statx_timestamp);
  OFF(statx_timestamp, tv_sec); OFF(statx_timestamp, tv_nsec);
  SIZE(linux_dirent64);
  OFF(linux_dirent64, d_ino); OFF(linux_dirent64, d_off); OFF(linux_dirent64, d_reclen);
  OFF(linux_dirent64, d_type); OFF(linux_dirent64, d_name);
  SIZE(iovec);
  OFF(iovec, iov_base); OFF(iovec, iov_len);
  SIZE(termios);
  OFF(termios, c_iflag); OFF(termios, c_oflag); OFF(termios, c_cflag);
  OFF(termios, c_lflag); OFF(termios, c_line); OFF(termios, c_cc);
  CONST(NCCS);
  SIZE(winsize);
  OFF(winsize, ws_row); OFF(winsize, ws_col); OFF(winsize, ws_xpixel); OFF(winsize, ws_ypixel);
  SIZE(flock);
  OFF(flock, l_type); OFF(flock, l_whence); OFF(flock, l_start); OFF(flock, l_len);
  OFF(flock, l_pid);
  SIZE(statfs);
  OFF(statfs, f_type); OFF(statfs, f_bsize); OFF(statfs, f_blocks); OFF(statfs, f_bfree);
  OFF(statfs, f_bavail); OFF(statfs, f_files); OFF(statfs, f_ffree); OFF(statfs, f_fsid);
  OFF(statfs, f_namelen); OFF(statfs, f_frsize); OFF(statfs, f_flags); OFF(statfs, f_spare);
  CONST(TCGETS); CONST(TCSETS); CONST(TCSETSW); CONST(TCSETSF); CONST(TIOCGWINSZ);
  CONST(TIOCSWINSZ); CONST(TIOCGPGRP); CONST(FIONBIO); CONST(FIOCLEX); CONST(FIONCLEX);
  CONST(FIONREAD);
  CONST(O_ACCMODE); CONST(O_CREAT); CONST(O_EXCL); CONST(O_NOCTTY); CONST(O_TRUNC);
  CONST(O_APPEND); CONST(O_NONBLOCK); CONST(O_DSYNC); CONST(O_DIRECT); CONST(O_LARGEFILE);
  CONST(O_DIRECTORY); CONST(O_NOFOLLOW); CONST(O_NOATIME); CONST(O_CLOEXEC); CONST(O_PATH);
  CONST(O_TMPFILE);
  CONST(AT_FDCWD); CONST(AT_SYMLINK_NOFOLLOW); CONST(AT_REMOVEDIR); CONST(AT_EACCESS);
  CONST(AT_SYMLINK_FOLLOW); CONST(AT_NO_AUTOMOUNT); CONST(AT_EMPTY_PATH);
  CONST(AT_STATX_SYNC_TYPE);
  CONST(F_DUPFD); CONST(F_GETFD); CONST(F_SETFD); CONST(F_GETFL); CONST(F_SETFL);
  CONST(F_GETLK); CONST(F_SETLK); CONST(F_SETLKW); CONST(F_DUPFD_CLOEXEC);
  CONST(F_OFD_GETLK); CONST(F_GETPIPE_SZ); CONST(F_SETPIPE_SZ);
  CONST(STATX_BASIC_STATS); CONST(STATX__RESERVED); CONST(STATX_MNT_ID);
  CONST(RENAME_NOREPLACE); CONST(RENAME_EXCHANGE); CONST(RENAME_WHITEOUT);
  CONST(POLLIN); CONST(POLLOUT); CONST(POLLERR); CONST(POLLHUP); CONST(POLLNVAL);
  return 0;
}
