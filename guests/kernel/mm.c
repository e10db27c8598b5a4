/*
 * Memory: brk, mmap, munmap, mprotect, madvise, mincore, mremap over a flat
 * address space (no MMU, as in a zkVM).
 *
 * zkabi backs [user_lo, user_hi) and [hint_lo, hint_hi) lazily: a page costs
 * nothing until touched and reads as zero until written. The kernel keeps
 * its own list of mappings (VMAs) to place new ones, honour hints and
 * MAP_FIXED, and report ENOMEM as Linux would. Protections are recorded but
 * not enforced (there is no MMU): PROT_NONE reservations cost nothing.
 *
 * Zero-fill: Linux hands out zeroed pages through page faults. Here the
 * kernel zeroes only memory that may have been written before: a range that
 * was ever mapped writable and is unmapped (or brk-shrunk) goes on a "dirty"
 * list, and a new mapping overlapping it zeroes that part (PHASE_ZERO);
 * MADV_DONTNEED zeroes at once. Never-touched memory is free.
 */
#include "kernel.h"

#define PROT_WRITE 2
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000
#define MADV_DONTNEED 4
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2

struct vma {
  u64 start, end;
  u32 prot;
  u32 written; /* ever mapped writable (its pages may hold data) */
};

#define MAX_VMAS 4096
static struct vma vmas[MAX_VMAS];
static int nvmas;

struct range {
  u64 start, end;
};
#define MAX_DIRTY 4096
static struct range dirty[MAX_DIRTY];
static int ndirty;

static u64 brk_start, brk_cur;

/* ---- dirty ranges ---- */

static void dirty_add(u64 s, u64 e) {
  if (s >= e) return;
  /* keep sorted; merge neighbours */
  int i = 0;
  while (i < ndirty && dirty[i].end < s) i++;
  if (i < ndirty && dirty[i].start <= e) {
    if (s < dirty[i].start) dirty[i].start = s;
    if (e > dirty[i].end) dirty[i].end = e;
    while (i + 1 < ndirty && dirty[i + 1].start <= dirty[i].end) {
      if (dirty[i + 1].end > dirty[i].end) dirty[i].end = dirty[i + 1].end;
      memmove(&dirty[i + 1], &dirty[i + 2], (usize)(ndirty - i - 2) * sizeof dirty[0]);
      ndirty--;
    }
    return;
  }
  if (ndirty == MAX_DIRTY) panic("dirty range table full");
  memmove(&dirty[i + 1], &dirty[i], (usize)(ndirty - i) * sizeof dirty[0]);
  dirty[i].start = s;
  dirty[i].end = e;
  ndirty++;
}

/* Zeroes the dirty part of [s, e) and forgets it. */
static void dirty_zero(u64 s, u64 e) {
  int opened = 0;
  for (int i = 0; i < ndirty && dirty[i].start < e;) {
    struct range *r = &dirty[i];
    if (r->end <= s) {
      i++;
      continue;
    }
    u64 a = r->start > s ? r->start : s;
    u64 b = r->end < e ? r->end : e;
    if (!opened) {
      phase(PHASE_ZERO);
      opened = 1;
    }
    memset((void *)a, 0, b - a);
    if (r->start < a && r->end > b) {
      /* split */
      if (ndirty == MAX_DIRTY) panic("dirty range table full");
      memmove(&dirty[i + 1], &dirty[i], (usize)(ndirty - i) * sizeof dirty[0]);
      ndirty++;
      dirty[i].end = a;
      dirty[i + 1].start = b;
      i += 2;
    } else if (r->start < a) {
      r->end = a;
      i++;
    } else if (r->end > b) {
      r->start = b;
      i++;
    } else {
      memmove(&dirty[i], &dirty[i + 1], (usize)(ndirty - i - 1) * sizeof dirty[0]);
      ndirty--;
    }
  }
  if (opened) phase(0);
}

/* ---- VMAs ---- */

static int vma_index_after(u64 addr) { /* first vma with end > addr */
  int lo = 0, hi = nvmas;
  while (lo < hi) {
    int m = (lo + hi) / 2;
    if (vmas[m].end <= addr) lo = m + 1;
    else hi = m;
  }
  return lo;
}

static int is_free(u64 s, u64 e) {
  int i = vma_index_after(s);
  return i == nvmas || vmas[i].start >= e;
}

static int in_region(u64 s, u64 e) {
  return (s >= boot.user_lo && e <= boot.user_hi && s < e) ||
         (s >= boot.hint_lo && e <= boot.hint_hi && s < e);
}

static void vma_insert(u64 s, u64 e, u32 prot, u32 written) {
  int i = vma_index_after(s);
  if (nvmas == MAX_VMAS) panic("vma table full");
  memmove(&vmas[i + 1], &vmas[i], (usize)(nvmas - i) * sizeof vmas[0]);
  vmas[i].start = s;
  vmas[i].end = e;
  vmas[i].prot = prot;
  vmas[i].written = written;
  nvmas++;
}

/* Splits the vma containing addr at addr (so a boundary falls there). */
static void vma_split(u64 addr) {
  int i = vma_index_after(addr);
  if (i == nvmas || vmas[i].start >= addr) return;
  if (nvmas == MAX_VMAS) panic("vma table full");
  memmove(&vmas[i + 1], &vmas[i], (usize)(nvmas - i) * sizeof vmas[0]);
  nvmas++;
  vmas[i].end = addr;
  vmas[i + 1].start = addr;
}

/* Removes [s, e); written parts become dirty. */
static void vma_remove(u64 s, u64 e) {
  vma_split(s);
  vma_split(e);
  int i = vma_index_after(s);
  int j = i;
  while (j < nvmas && vmas[j].start < e) {
    if (vmas[j].written) dirty_add(vmas[j].start, vmas[j].end);
    j++;
  }
  memmove(&vmas[i], &vmas[j], (usize)(nvmas - j) * sizeof vmas[0]);
  nvmas -= j - i;
}

/* Highest free range of len bytes ending at or below top, above user_lo. */
static u64 find_topdown(u64 len, u64 top) {
  int i = vma_index_after(top) - 1;
  u64 hi = top;
  for (; i >= 0; i--) {
    struct vma *v = &vmas[i];
    if (v->end > hi) {
      if (v->start < hi) hi = v->start;
      continue;
    }
    if (hi - v->end >= len) return hi - len;
    hi = v->start;
  }
  if (hi >= boot.user_lo && hi - boot.user_lo >= len) return hi - len;
  return 0;
}

void mm_init(void) {
  brk_start = brk_cur = boot.brk;
  /* The program image, then the stack: never handed out. */
  vma_insert(PAGE_DOWN(boot.image_lo), boot.brk, 7, 1);
  vma_insert(boot.stack_lo, boot.stack_hi, 3, 1);
}

i64 sys_brk(struct thread *t) {
  u64 want = A0;
  if (want < brk_start) return (i64)brk_cur;
  u64 old_top = PAGE_UP(brk_cur), new_top = PAGE_UP(want);
  if (new_top > old_top) {
    if (!in_region(old_top, new_top) || !is_free(old_top, new_top)) return (i64)brk_cur;
    dirty_zero(old_top, new_top);
    /* the heap vma grows (or appears) */
    int i = vma_index_after(old_top - 1);
    if (old_top > brk_start && i < nvmas && vmas[i].end == old_top && vmas[i].start >= brk_start)
      vmas[i].end = new_top;
    else
      vma_insert(old_top, new_top, 3, 1);
  } else if (new_top < old_top) {
    vma_remove(new_top, old_top);
  }
  brk_cur = want;
  return (i64)brk_cur;
}

struct blob_ref {
  const u8 *data;
  u64 len;
};
int fd_blob(int fd, struct blob_ref *out);

i64 sys_mmap(struct thread *t) {
  u64 addr = A0, len = A1;
  u32 prot = (u32)A2, flags = (u32)A3;
  i64 fd = (i64)A4;
  u64 off = A5;
  struct blob_ref blob = {0, 0};
  if (len == 0 || (off & (PAGE - 1))) return -EINVAL;
  if ((flags & 3) != MAP_SHARED && (flags & 3) != MAP_PRIVATE) return -EINVAL;
  if (!(flags & MAP_ANONYMOUS)) {
    if (!fd_blob((int)fd, &blob)) return -EBADF;
  }
  len = PAGE_UP(len);
  if (len == 0) return -ENOMEM;
  u64 at;
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    if (addr & (PAGE - 1)) return -EINVAL;
    if (!in_region(addr, addr + len)) return -ENOMEM;
    if (!is_free(addr, addr + len)) {
      if (flags & MAP_FIXED_NOREPLACE) return -EEXIST;
      vma_remove(addr, addr + len);
    }
    at = addr;
  } else {
    at = 0;
    if (addr) {
      u64 h = PAGE_UP(addr);
      if (h + len > h && in_region(h, h + len) && is_free(h, h + len)) at = h;
    }
    if (!at) at = find_topdown(len, boot.mmap_base);
    if (!at) return -ENOMEM;
  }
  u32 written = (prot & PROT_WRITE) ? 1 : 0;
  dirty_zero(at, at + len);
  if (blob.data) {
    if (off < blob.len) {
      u64 n = blob.len - off;
      if (n > len) n = len;
      memcpy((void *)at, blob.data + off, n);
    }
    written = 1;
  }
  vma_insert(at, at + len, prot, written);
  return (i64)at;
}

i64 sys_munmap(struct thread *t) {
  u64 addr = A0, len = PAGE_UP(A1);
  if ((addr & (PAGE - 1)) || len == 0) return -EINVAL;
  vma_remove(addr, addr + len);
  return 0;
}

/* Every page of [s, e) mapped? */
static int covered(u64 s, u64 e) {
  int i = vma_index_after(s);
  u64 at = s;
  for (; i < nvmas && at < e; i++) {
    if (vmas[i].start > at) return 0;
    at = vmas[i].end;
  }
  return at >= e;
}

/* [addr, addr+len) lies in mapped memory (syscalls answer EFAULT otherwise). */
int user_ok(u64 addr, u64 len) {
  if (len == 0) return 1;
  if (addr + len < addr) return 0;
  return covered(PAGE_DOWN(addr), PAGE_UP(addr + len));
}

i64 sys_mprotect(struct thread *t) {
  u64 addr = A0, len = PAGE_UP(A1);
  u32 prot = (u32)A2;
  if (addr & (PAGE - 1)) return -EINVAL;
  if (len == 0) return 0;
  if (!covered(addr, addr + len)) return -ENOMEM;
  vma_split(addr);
  vma_split(addr + len);
  for (int i = vma_index_after(addr); i < nvmas && vmas[i].start < addr + len; i++) {
    vmas[i].prot = prot;
    if (prot & PROT_WRITE) vmas[i].written = 1;
  }
  return 0;
}

i64 sys_madvise(struct thread *t) {
  u64 addr = A0, len = PAGE_UP(A1);
  if (addr & (PAGE - 1)) return -EINVAL;
  if (len == 0) return 0;
  if (!covered(addr, addr + len)) return -ENOMEM;
  if (A2 == MADV_DONTNEED) {
    /* Private anonymous pages read as zero afterwards. */
    for (int i = vma_index_after(addr); i < nvmas && vmas[i].start < addr + len; i++) {
      if (!vmas[i].written) continue;
      u64 s = vmas[i].start > addr ? vmas[i].start : addr;
      u64 e = vmas[i].end < addr + len ? vmas[i].end : addr + len;
      dirty_add(s, e);
      dirty_zero(s, e);
    }
  }
  return 0;
}

i64 sys_mincore(struct thread *t) {
  u64 addr = A0, len = PAGE_UP(A1);
  u8 *vec = (u8 *)A2;
  if (addr & (PAGE - 1)) return -EINVAL;
  if (!covered(addr, addr + len)) return -ENOMEM;
  /* No paging: every mapped page is resident. */
  memset(vec, 1, len / PAGE);
  return 0;
}

i64 sys_mremap(struct thread *t) {
  u64 old = A0, olen = PAGE_UP(A1), nlen = PAGE_UP(A2);
  u64 flags = A3;
  if ((old & (PAGE - 1)) || nlen == 0 || (flags & ~3UL)) return -EINVAL;
  if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
  if (!covered(old, old + olen)) return -EFAULT;
  int i = vma_index_after(old);
  u32 prot = vmas[i].prot, written = vmas[i].written;
  if (flags & MREMAP_FIXED) {
    u64 at = A4;
    if ((at & (PAGE - 1)) || (at < old + olen && old < at + nlen)) return -EINVAL;
    if (!in_region(at, at + nlen)) return -ENOMEM;
    vma_remove(at, at + nlen);
    dirty_zero(at, at + nlen);
    memcpy((void *)at, (void *)old, olen < nlen ? olen : nlen);
    vma_insert(at, at + nlen, prot, 1);
    vma_remove(old, old + olen);
    return (i64)at;
  }
  if (nlen <= olen) {
    if (nlen < olen) vma_remove(old + nlen, old + olen);
    return (i64)old;
  }
  if (in_region(old + olen, old + nlen) && is_free(old + olen, old + nlen)) {
    dirty_zero(old + olen, old + nlen);
    vma_insert(old + olen, old + nlen, prot, written);
    return (i64)old;
  }
  if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
  u64 at = find_topdown(nlen, boot.mmap_base);
  if (!at) return -ENOMEM;
  dirty_zero(at, at + nlen);
  memcpy((void *)at, (void *)old, olen);
  vma_insert(at, at + nlen, prot, 1);
  vma_remove(old, old + olen);
  return (i64)at;
}
