/*
 * getrandom: the ChaCha20 keystream zkabi's built-in kernel uses (key =
 * seed as two LE words, then the 24 bytes "zkabi-random-v1" NUL-padded;
 * nonce 0; block counter from 0), so both kernels hand out the same bytes.
 */
#include "kernel.h"

static u32 key[8], nonce[3], counter;
static u8 block[64];
static u32 used = 64;

static inline u32 rotl(u32 x, int n) {
  return (x << n) | (x >> (32 - n));
}

#define QR(a, b, c, d)                                                                        \
  x[a] += x[b], x[d] = rotl(x[d] ^ x[a], 16), x[c] += x[d], x[b] = rotl(x[b] ^ x[c], 12),     \
      x[a] += x[b], x[d] = rotl(x[d] ^ x[a], 8), x[c] += x[d], x[b] = rotl(x[b] ^ x[c], 7)

static void next_block(void) {
  u32 s[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
  for (int i = 0; i < 8; i++) s[4 + i] = key[i];
  s[12] = counter;
  s[13] = nonce[0];
  s[14] = nonce[1];
  s[15] = nonce[2];
  u32 x[16];
  for (int i = 0; i < 16; i++) x[i] = s[i];
  for (int i = 0; i < 10; i++) {
    QR(0, 4, 8, 12);
    QR(1, 5, 9, 13);
    QR(2, 6, 10, 14);
    QR(3, 7, 11, 15);
    QR(0, 5, 10, 15);
    QR(1, 6, 11, 12);
    QR(2, 7, 8, 13);
    QR(3, 4, 9, 14);
  }
  for (int i = 0; i < 16; i++) {
    u32 v = x[i] + s[i];
    block[4 * i] = (u8)v;
    block[4 * i + 1] = (u8)(v >> 8);
    block[4 * i + 2] = (u8)(v >> 16);
    block[4 * i + 3] = (u8)(v >> 24);
  }
  counter++;
  if (counter == 0) nonce[0]++;
  used = 0;
}

void random_init(u64 seed) {
  static const char tag[24] = "zkabi-random-v1";
  key[0] = (u32)seed;
  key[1] = (u32)(seed >> 32);
  for (int i = 0; i < 6; i++) {
    const u8 *p = (const u8 *)tag + 4 * i;
    key[2 + i] = (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
  }
}

void random_fill(u8 *out, u64 n) {
  while (n) {
    if (used == 64) next_block();
    u64 k = 64 - used;
    if (k > n) k = n;
    memcpy(out, block + used, k);
    used += (u32)k;
    out += k;
    n -= k;
  }
}
