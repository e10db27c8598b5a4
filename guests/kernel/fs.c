/*
 * Files: a read-only table of blobs (path -> bytes) read from the host input
 * at boot, the fd table, stdin (empty), stdout/stderr (HOST_WRITE_OUTPUT with
 * the stream number), eventfd and a minimal epoll over them.
 */
#include "kernel.h"

#define AT_FDCWD (-100)
#define AT_EMPTY_PATH 0x1000
#define O_ACCMODE 3
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_NONBLOCK 04000
#define O_DIRECTORY 0200000
#define O_CLOEXEC 02000000

#define S_IFREG 0100000
#define S_IFIFO 0010000
#define S_IFLNK 0120000

#define BLOB_FILE 0
#define BLOB_LINK 1

struct blob {
  const char *path;
  const u8 *data;
  u64 len;
  u64 kind;
};
#define MAX_BLOBS 256
static struct blob blobs[MAX_BLOBS];
static int nblobs;
static char *cwd;
static u64 cwd_len;
static const char *start_cwd; /* the directory the program started in (and its parents) */
static u64 start_cwd_len;

#define F_NONE 0
#define F_STDIN 1
#define F_OUT 2
#define F_BLOB 3
#define F_EVENTFD 4
#define F_EPOLL 5
#define F_DIR 6

#define MAX_EP 16
struct ep_item {
  int fd;
  u32 events;
  u64 data;
};
struct file {
  int type;
  u32 flags;   /* O_* status flags */
  int cloexec;
  int blob;    /* F_BLOB */
  u64 off;     /* F_BLOB */
  u64 stream;  /* F_OUT: 1 stdout, 2 stderr */
  u64 count;   /* F_EVENTFD */
  int nitems;  /* F_EPOLL */
  const char *dir; /* F_DIR: absolute path */
  struct ep_item items[MAX_EP];
};
#define MAX_FDS 128
static struct file fds[MAX_FDS];
static int epoll_sets; /* epoll instances ever created: close skips its scan without them */

/* The kernel heap: a bump allocator over [heap_lo, heap_hi). */
static u64 heap_at;
static void *kalloc(u64 n) {
  u64 p = (heap_at + 15) & ~15UL;
  if (p + n > boot.heap_hi || p + n < p) panic("kernel heap exhausted");
  heap_at = p + n;
  return (void *)p;
}

void fs_init(void) {
  heap_at = boot.heap_lo;
  cwd_len = boot.cwd_len;
  cwd = kalloc(cwd_len + 1);
  if (host_read_input(cwd, cwd_len) != cwd_len) panic("short input (cwd)");
  cwd[cwd_len] = 0;
  start_cwd = cwd;
  start_cwd_len = cwd_len;
  if (boot.nfiles > MAX_BLOBS) panic("too many input files");
  for (u64 i = 0; i < boot.nfiles; i++) {
    u64 h[3];
    if (host_read_input(h, sizeof h) != sizeof h) panic("short input (file header)");
    char *path = kalloc(h[1] + 1);
    u8 *data = kalloc(h[2]);
    if (host_read_input(path, h[1]) != h[1]) panic("short input (path)");
    path[h[1]] = 0;
    if (host_read_input(data, h[2]) != h[2]) panic("short input (file)");
    blobs[nblobs].path = path;
    blobs[nblobs].data = data;
    blobs[nblobs].len = h[2];
    blobs[nblobs].kind = h[0];
    nblobs++;
  }
  fds[0].type = F_STDIN;
  fds[0].flags = 0;
  fds[1].type = F_OUT;
  fds[1].flags = 1;
  fds[1].stream = 1;
  fds[2].type = F_OUT;
  fds[2].flags = 1;
  fds[2].stream = 2;
}

/* Absolute, normalised form of path (relative to cwd) into out (size 4096). */
static int resolve(const char *path, char *out) {
  u64 n = 0;
  if (path[0] != '/') {
    if (cwd_len >= 4000) return -ERANGE;
    memcpy(out, cwd, cwd_len);
    n = cwd_len;
  }
  const char *p = path;
  while (*p) {
    while (*p == '/') p++;
    if (!*p) break;
    const char *s = p;
    while (*p && *p != '/') p++;
    u64 len = (u64)(p - s);
    if (len == 1 && s[0] == '.') continue;
    if (len == 2 && s[0] == '.' && s[1] == '.') {
      while (n > 0 && out[n - 1] != '/') n--;
      if (n > 0) n--;
      continue;
    }
    if (n + 1 + len >= 4096) return -ENOENT;
    out[n++] = '/';
    memcpy(out + n, s, len);
    n += len;
  }
  if (n == 0) out[n++] = '/';
  out[n] = 0;
  return 0;
}

/* The last resolved path (lookup's scratch). */
static char abs_path[4096];

/* Does `dir` (absolute, normalised) name a directory: "/", the cwd or one of its parents, or a parent of a file? */
static int is_dir(const char *dir) {
  usize n = strlen(dir);
  if (n == 1) return 1;
  if (n <= start_cwd_len && memcmp(start_cwd, dir, n) == 0 &&
      (start_cwd[n] == '/' || start_cwd[n] == 0))
    return 1;
  for (int i = 0; i < nblobs; i++) {
    const char *p = blobs[i].path;
    if (memcmp(p, dir, n) == 0 && p[n] == '/') return 1;
  }
  return 0;
}

#define LOOKUP_DIR (-2)
#define LOOKUP_NOTDIR (-3)

/* A blob index, LOOKUP_DIR for a directory (its path in abs_path), else -1 (or LOOKUP_NOTDIR). */
static int lookup(const char *path) {
  if (resolve(path, abs_path) < 0) return -1;
  for (int i = 0; i < nblobs; i++)
    if (streq(blobs[i].path, abs_path)) return i;
  if (is_dir(abs_path)) return LOOKUP_DIR;
  /* a file used as a directory: ENOTDIR */
  for (int i = 0; i < nblobs; i++) {
    usize n = strlen(blobs[i].path);
    if (memcmp(blobs[i].path, abs_path, n) == 0 && abs_path[n] == '/') return LOOKUP_NOTDIR;
  }
  return -1;
}

static u64 dir_ino(const char *p) {
  u64 h = 1469598103934665603UL;
  while (*p) h = (h ^ (u8)*p++) * 1099511628211UL;
  return 0x100000 | (h & 0xfffff);
}

static char *copy_str(const char *s) {
  usize n = strlen(s);
  char *d = kalloc(n + 1);
  memcpy(d, s, n + 1);
  return d;
}

static int alloc_fd(int from) {
  for (int i = from; i < MAX_FDS; i++)
    if (fds[i].type == F_NONE) return i;
  return -EMFILE;
}

static struct file *get(u64 fd) {
  if (fd >= MAX_FDS || fds[fd].type == F_NONE) return NULL;
  return &fds[fd];
}

struct blob_ref {
  const u8 *data;
  u64 len;
};
int fd_blob(int fd, struct blob_ref *out) {
  struct file *f = get((u64)(i64)fd);
  if (!f || f->type != F_BLOB) return 0;
  out->data = blobs[f->blob].data;
  out->len = blobs[f->blob].len;
  return 1;
}

i64 sys_getcwd(struct thread *t) {
  if (A1 < cwd_len + 1) return -ERANGE;
  memcpy((void *)A0, cwd, cwd_len + 1);
  return (i64)cwd_len + 1;
}

i64 sys_openat(struct thread *t) {
  i64 dirfd = (i64)A0;
  const char *path = (const char *)A1;
  u32 flags = (u32)A2;
  if (path[0] != '/' && dirfd != AT_FDCWD) return -EBADF;
  int b = lookup(path);
  if (b == LOOKUP_NOTDIR) return -ENOTDIR;
  if (b == -1) return (flags & O_CREAT) ? -EROFS : -ENOENT;
  if ((flags & O_ACCMODE) != 0 || (flags & O_TRUNC)) return b == LOOKUP_DIR ? -EISDIR : -EROFS;
  if ((flags & O_DIRECTORY) && b != LOOKUP_DIR) return -ENOTDIR;
  int fd = alloc_fd(0);
  if (fd < 0) return fd;
  struct file *f = &fds[fd];
  memset(f, 0, sizeof *f);
  if (b == LOOKUP_DIR) {
    f->type = F_DIR;
    f->dir = copy_str(abs_path);
  } else {
    f->type = F_BLOB;
    f->blob = b;
  }
  f->flags = flags & (O_ACCMODE | O_NONBLOCK);
  f->cloexec = (flags & O_CLOEXEC) != 0;
  return fd;
}

void wake_epoll_waiters(void);

i64 sys_close(struct thread *t) {
  struct file *f = get(A0);
  if (!f) return -EBADF;
  f->type = F_NONE;
  /* drop it from every epoll set */
  for (int i = 0; i < MAX_FDS && epoll_sets; i++) {
    if (fds[i].type != F_EPOLL) continue;
    for (int k = 0; k < fds[i].nitems; k++) {
      if (fds[i].items[k].fd == (int)A0) {
        fds[i].items[k] = fds[i].items[--fds[i].nitems];
        break;
      }
    }
  }
  return 0;
}

static i64 do_read(struct file *f, u8 *buf, u64 n) {
  switch (f->type) {
    case F_STDIN:
      return 0;
    case F_BLOB: {
      struct blob *b = &blobs[f->blob];
      if (f->off >= b->len) return 0;
      u64 k = b->len - f->off;
      if (k > n) k = n;
      memcpy(buf, b->data + f->off, k);
      f->off += k;
      return (i64)k;
    }
    case F_DIR:
      return -EISDIR;
    case F_EVENTFD:
      if (n < 8) return -EINVAL;
      if (f->count == 0) return -EAGAIN; /* blocking eventfd reads are not needed by the guests */
      *(u64 *)buf = f->count;
      f->count = 0;
      return 8;
    default:
      return -EBADF;
  }
}

static i64 do_write(struct file *f, const u8 *buf, u64 n) {
  switch (f->type) {
    case F_OUT:
      host_write_output(f->stream, buf, n);
      return (i64)n;
    case F_EVENTFD:
      if (n < 8) return -EINVAL;
      f->count += *(const u64 *)buf;
      wake_epoll_waiters();
      return 8;
    default:
      return -EBADF;
  }
}

i64 sys_read(struct thread *t) {
  struct file *f = get(A0);
  if (!f) return -EBADF;
  if (!user_ok(A1, A2)) return -EFAULT;
  return do_read(f, (u8 *)A1, A2);
}

i64 sys_write(struct thread *t) {
  struct file *f = get(A0);
  if (!f) return -EBADF;
  if (!user_ok(A1, A2)) return -EFAULT;
  return do_write(f, (const u8 *)A1, A2);
}

i64 sys_readv(struct thread *t) {
  struct file *f = get(A0);
  if (!f) return -EBADF;
  const u64 *iov = (const u64 *)A1;
  i64 total = 0;
  for (u64 i = 0; i < A2; i++) {
    i64 r = do_read(f, (u8 *)iov[2 * i], iov[2 * i + 1]);
    if (r < 0) return total ? total : r;
    total += r;
    if ((u64)r < iov[2 * i + 1]) break;
  }
  return total;
}

i64 sys_writev(struct thread *t) {
  struct file *f = get(A0);
  if (!f) return -EBADF;
  const u64 *iov = (const u64 *)A1;
  i64 total = 0;
  for (u64 i = 0; i < A2; i++) {
    if (iov[2 * i + 1] == 0) continue;
    i64 r = do_write(f, (const u8 *)iov[2 * i], iov[2 * i + 1]);
    if (r < 0) return total ? total : r;
    total += r;
  }
  return total;
}

i64 sys_pread64(struct thread *t) {
  struct file *f = get(A0);
  if (!f) return -EBADF;
  if (f->type != F_BLOB) return -ESPIPE;
  u64 save = f->off;
  f->off = A3;
  i64 r = do_read(f, (u8 *)A1, A2);
  f->off = save;
  return r;
}

i64 sys_lseek(struct thread *t) {
  struct file *f = get(A0);
  if (!f) return -EBADF;
  if (f->type == F_DIR && A2 == 0 && (i64)A1 >= 0) return (i64)(f->off = A1); /* entry index */
  if (f->type != F_BLOB) return -ESPIPE;
  i64 off = (i64)A1;
  i64 base = A2 == 0 ? 0 : A2 == 1 ? (i64)f->off : A2 == 2 ? (i64)blobs[f->blob].len : -1;
  if (base < 0 || A2 > 2) return -EINVAL;
  if (base + off < 0) return -EINVAL;
  f->off = (u64)(base + off);
  return (i64)f->off;
}

static void fill_stat(u8 *st, u32 mode, u64 ino, u64 size) {
  memset(st, 0, 128);
  *(u64 *)(st + 0) = 0x800001;  /* st_dev */
  *(u64 *)(st + 8) = ino;
  *(u32 *)(st + 16) = mode;
  *(u32 *)(st + 20) = 1;        /* nlink */
  *(u64 *)(st + 48) = size;
  *(i32 *)(st + 56) = 4096;     /* blksize */
  if ((mode & 0170000) == 0040000) *(u32 *)(st + 20) = 2;
  *(u64 *)(st + 64) = (size + 511) / 512;
}

static int stat_of(struct file *f, u32 *mode, u64 *ino, u64 *size) {
  switch (f->type) {
    case F_STDIN:
    case F_OUT:
      *mode = S_IFIFO | 0600;
      *ino = 1 + (u64)(f - fds);
      *size = 0;
      return 1;
    case F_BLOB:
      *mode = S_IFREG | 0444;
      *ino = 100 + (u64)f->blob;
      *size = blobs[f->blob].len;
      return 1;
    case F_DIR:
      *mode = 0040555;
      *ino = dir_ino(f->dir);
      *size = 4096;
      return 1;
    default:
      *mode = 0600;
      *ino = 50 + (u64)(f - fds);
      *size = 0;
      return 1;
  }
}

i64 sys_fstat(struct thread *t) {
  struct file *f = get(A0);
  u32 mode;
  u64 ino, size;
  if (!f) return -EBADF;
  stat_of(f, &mode, &ino, &size);
  fill_stat((u8 *)A1, mode, ino, size);
  return 0;
}

/* Stat by dirfd + path (AT_EMPTY_PATH: the fd itself). */
static i64 stat_at(i64 dirfd, const char *path, u32 flags, u32 *mode, u64 *ino, u64 *size) {
  if (path[0] == 0) {
    if (!(flags & AT_EMPTY_PATH)) return -ENOENT;
    struct file *f = get((u64)dirfd);
    if (!f) return -EBADF;
    stat_of(f, mode, ino, size);
    return 0;
  }
  if (path[0] != '/' && dirfd != AT_FDCWD) return -EBADF;
  int b = lookup(path);
  if (b == LOOKUP_NOTDIR) return -ENOTDIR;
  if (b == -1) return -ENOENT;
  if (b == LOOKUP_DIR) {
    *mode = 0040555;
    *ino = dir_ino(abs_path);
    *size = 4096;
    return 0;
  }
  *mode = blobs[b].kind == BLOB_LINK ? S_IFLNK | 0777 : S_IFREG | 0444;
  *ino = 100 + (u64)b;
  *size = blobs[b].len;
  return 0;
}

i64 sys_newfstatat(struct thread *t) {
  u32 mode;
  u64 ino, size;
  i64 r = stat_at((i64)A0, (const char *)A1, (u32)A3, &mode, &ino, &size);
  if (r < 0) return r;
  fill_stat((u8 *)A2, mode, ino, size);
  return 0;
}

i64 sys_statx(struct thread *t) {
  u32 mode;
  u64 ino, size;
  if (A3 & 0x80000000UL) return -EINVAL; /* STATX__RESERVED */
  i64 r = stat_at((i64)A0, (const char *)A1, (u32)A2, &mode, &ino, &size);
  if (r < 0) return r;
  u8 *s = (u8 *)A4;
  memset(s, 0, 256);
  *(u32 *)(s + 0) = 0x7ff; /* STATX_BASIC_STATS */
  *(u32 *)(s + 4) = 4096;
  *(u32 *)(s + 16) = (mode & 0170000) == 0040000 ? 2 : 1;
  *(u16 *)(s + 28) = (u16)mode;
  *(u64 *)(s + 32) = ino;
  *(u64 *)(s + 40) = size;
  *(u64 *)(s + 48) = (size + 511) / 512;
  *(u32 *)(s + 136) = 8; /* dev major */
  *(u32 *)(s + 140) = 1;
  return 0;
}

i64 sys_faccessat(struct thread *t) {
  const char *path = (const char *)A1;
  if (path[0] != '/' && (i64)A0 != AT_FDCWD) return -EBADF;
  if (A2 & ~7UL) return -EINVAL;
  int b = lookup(path);
  if (b == LOOKUP_NOTDIR) return -ENOTDIR;
  if (b == -1) return -ENOENT;
  if (A2 & 2) return -EROFS;
  if ((A2 & 1) && b != LOOKUP_DIR) return -EACCES;
  return 0;
}

i64 sys_readlinkat(struct thread *t) {
  const char *path = (const char *)A1;
  if (path[0] != '/' && (i64)A0 != AT_FDCWD) return -EBADF;
  int b = lookup(path);
  if (b == LOOKUP_NOTDIR) return -ENOTDIR;
  if (b == -1) return -ENOENT;
  if (b == LOOKUP_DIR || blobs[b].kind != BLOB_LINK) return -EINVAL;
  u64 n = blobs[b].len < A3 ? blobs[b].len : A3;
  memcpy((void *)A2, blobs[b].data, n);
  return (i64)n;
}

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030

i64 sys_fcntl(struct thread *t) {
  struct file *f = get(A0);
  if (!f) return -EBADF;
  switch (A1) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      int fd = alloc_fd((int)A2);
      if (fd < 0) return fd;
      fds[fd] = *f;
      fds[fd].cloexec = A1 == F_DUPFD_CLOEXEC;
      return fd;
    }
    case F_GETFD:
      return f->cloexec;
    case F_SETFD:
      f->cloexec = (A2 & 1) != 0;
      return 0;
    case F_GETFL:
      return f->flags;
    case F_SETFL:
      f->flags = (f->flags & O_ACCMODE) | ((u32)A2 & O_NONBLOCK);
      return 0;
    default:
      return -EINVAL;
  }
}

i64 sys_dup(struct thread *t) {
  struct file *f = get(A0);
  if (!f) return -EBADF;
  int fd = alloc_fd(0);
  if (fd < 0) return fd;
  fds[fd] = *f;
  fds[fd].cloexec = 0;
  return fd;
}

i64 sys_dup3(struct thread *t) {
  struct file *f = get(A0);
  if (!f) return -EBADF;
  if (A0 == A1 || A1 >= MAX_FDS || (A2 & ~(u64)O_CLOEXEC)) return -EINVAL;
  fds[A1] = *f;
  fds[A1].cloexec = (A2 & O_CLOEXEC) != 0;
  return (i64)A1;
}

i64 sys_ioctl(struct thread *t) {
  if (!get(A0)) return -EBADF;
  return -ENOTTY;
}

#define POLLIN 1
#define POLLOUT 4
#define POLLHUP 0x10
#define POLLNVAL 0x20

i64 sys_ppoll(struct thread *t) {
  u8 *pfd = (u8 *)A0;
  i64 ready = 0;
  for (u64 i = 0; i < A1; i++) {
    i32 fd = *(i32 *)(pfd + 8 * i);
    u16 ev = *(u16 *)(pfd + 8 * i + 4);
    u16 rev = 0;
    if (fd >= 0) {
      struct file *f = get((u64)fd);
      if (!f) rev = POLLNVAL;
      else if (f->type == F_STDIN) rev = POLLHUP | (ev & POLLIN);
      else if (f->type == F_EVENTFD) rev = (u16)((f->count ? POLLIN : 0) | POLLOUT) & ev;
      else if (f->type == F_EPOLL) rev = 0;
      else rev = ev & (POLLIN | POLLOUT);
    }
    *(u16 *)(pfd + 8 * i + 6) = rev;
    if (rev) ready++;
  }
  if (ready) return ready;
  const i64 *ts = (const i64 *)A2;
  if (ts && ts[0] == 0 && ts[1] == 0) return 0;
  /* Nothing here ever becomes ready later: sleep until the timeout. */
  block_thread(t, W_POLL, ts != NULL, ts ? now_ns() + (u64)ts[0] * 1000000000UL + (u64)ts[1] : 0);
  return NO_RESULT;
}

/* ---- eventfd / epoll ---- */

#define EFD_NONBLOCK 04000
#define EFD_CLOEXEC 02000000
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLIN 1
#define EPOLLOUT 4

i64 sys_eventfd2(struct thread *t) {
  int fd = alloc_fd(0);
  if (fd < 0) return fd;
  struct file *f = &fds[fd];
  memset(f, 0, sizeof *f);
  f->type = F_EVENTFD;
  f->count = A0;
  f->flags = 2 | ((u32)A1 & EFD_NONBLOCK);
  f->cloexec = (A1 & EFD_CLOEXEC) != 0;
  return fd;
}

i64 sys_epoll_create1(struct thread *t) {
  int fd = alloc_fd(0);
  if (fd < 0) return fd;
  struct file *f = &fds[fd];
  memset(f, 0, sizeof *f);
  f->type = F_EPOLL;
  epoll_sets++;
  f->cloexec = (A0 & O_CLOEXEC) != 0;
  return fd;
}

i64 sys_epoll_ctl(struct thread *t) {
  struct file *ep = get(A0);
  struct file *f = get(A2);
  if (!ep || !f) return -EBADF;
  if (ep->type != F_EPOLL || A0 == A2) return -EINVAL;
  /* Regular files are always ready: Linux refuses them. */
  if (f->type == F_BLOB) return -EPERM;
  const u8 *ev = (const u8 *)A3;
  int k = 0;
  while (k < ep->nitems && ep->items[k].fd != (int)A2) k++;
  switch (A1) {
    case EPOLL_CTL_ADD:
      if (k < ep->nitems) return -EEXIST;
      if (ep->nitems == MAX_EP) return -ENOMEM;
      ep->items[k].fd = (int)A2;
      ep->items[k].events = *(const u32 *)ev;
      ep->items[k].data = *(const u64 *)(ev + 8);
      ep->nitems++;
      return 0;
    case EPOLL_CTL_MOD:
      if (k == ep->nitems) return -ENOENT;
      ep->items[k].events = *(const u32 *)ev;
      ep->items[k].data = *(const u64 *)(ev + 8);
      return 0;
    case EPOLL_CTL_DEL:
      if (k == ep->nitems) return -ENOENT;
      ep->items[k] = ep->items[--ep->nitems];
      return 0;
    default:
      return -EINVAL;
  }
}

/* Ready events of t's epoll wait; with deliver, writes them to its buffer. */
i64 epoll_ready(struct thread *t, int deliver) {
  struct file *ep = get(t->wait_arg);
  if (!ep || ep->type != F_EPOLL) return -EBADF;
  i64 n = 0;
  u8 *out = (u8 *)t->wait_buf;
  for (int k = 0; k < ep->nitems && (u64)n < t->wait_max; k++) {
    struct file *f = get((u64)ep->items[k].fd);
    u32 rev = 0;
    if (!f) continue;
    if (f->type == F_EVENTFD) rev = ((f->count ? EPOLLIN : 0) | EPOLLOUT) & ep->items[k].events;
    else if (f->type == F_OUT) rev = EPOLLOUT & ep->items[k].events;
    if (!rev) continue;
    if (deliver) {
      *(u32 *)(out + 16 * n) = rev;
      *(u64 *)(out + 16 * n + 8) = ep->items[k].data;
    }
    n++;
  }
  return n;
}

i64 sys_epoll_pwait(struct thread *t) {
  if ((i64)A2 <= 0) return -EINVAL;
  t->wait_arg = A0;
  t->wait_buf = A1;
  t->wait_max = A2;
  i64 n = epoll_ready(t, 1);
  if (n != 0) return n;
  i64 timeout = (i32)A3;
  if (timeout == 0) return 0;
  block_thread(t, W_EPOLL, timeout > 0, timeout > 0 ? now_ns() + (u64)timeout * 1000000UL : 0);
  return NO_RESULT;
}

/* An eventfd was written: epoll waiters that now see events wake up. */
void wake_epoll_waiters(void) {
  for (int i = 0; i < thread_hw; i++) {
    struct thread *w = &threads[i];
    if (w->state != T_BLOCK || w->wait != W_EPOLL) continue;
    i64 n = epoll_ready(w, 1);
    if (n != 0) wake_thread(w, n);
  }
}

i64 sys_chdir(struct thread *t) {
  int b = lookup((const char *)A0);
  if (b == LOOKUP_NOTDIR) return -ENOTDIR;
  if (b == -1) return -ENOENT;
  if (b != LOOKUP_DIR) return -ENOTDIR;
  cwd = copy_str(abs_path);
  cwd_len = strlen(cwd);
  return 0;
}

/* One entry of getdents64 at out+n (8-aligned record); 0 when it does not fit. */
static u64 dirent(u8 *out, u64 room, u64 ino, i64 off, u8 type, const char *name, usize len) {
  u64 reclen = (19 + len + 1 + 7) & ~7UL;
  if (reclen > room) return 0;
  memset(out, 0, reclen);
  *(u64 *)out = ino;
  *(i64 *)(out + 8) = off;
  *(u16 *)(out + 16) = (u16)reclen;
  out[18] = type;
  memcpy(out + 19, name, len);
  return reclen;
}

/*
 * getdents64 over a directory's children: ".", "..", then the next path
 * component of every file under it, each name once. f->off counts entries.
 */
i64 sys_getdents64(struct thread *t) {
  struct file *f = get(A0);
  if (!f) return -EBADF;
  if (f->type != F_DIR) return -ENOTDIR;
  u8 *out = (u8 *)A1;
  u64 room = A2, n = 0, idx = 0;
  usize dl = strlen(f->dir);
  usize base = dl == 1 ? 1 : dl + 1; /* where a child's name starts */
  for (int i = -2; i < nblobs; i++) {
    const char *name;
    usize len;
    u8 type = 4; /* DT_DIR */
    if (i == -2) name = ".", len = 1;
    else if (i == -1) name = "..", len = 2;
    else {
      const char *p = blobs[i].path;
      if (memcmp(p, f->dir, dl) != 0 || (dl > 1 && p[dl] != '/')) continue;
      name = p + base;
      len = 0;
      while (name[len] && name[len] != '/') len++;
      if (len == 0) continue;
      if (!name[len]) type = blobs[i].kind == BLOB_LINK ? 10 : 8;
      /* skip names an earlier file already produced */
      int dup = 0;
      for (int k = 0; k < i && !dup; k++) {
        const char *q = blobs[k].path;
        if (memcmp(q, p, base + len) == 0 && (q[base + len] == '/' || q[base + len] == 0)) dup = 1;
      }
      if (dup) continue;
    }
    if (idx++ < f->off) continue;
    u64 r = dirent(out + n, room - n, i < 0 ? dir_ino(f->dir) : 200 + (u64)i, (i64)idx, type, name, len);
    if (!r) {
      if (n == 0) return -EINVAL;
      break;
    }
    n += r;
    f->off = idx;
  }
  return (i64)n;
}
