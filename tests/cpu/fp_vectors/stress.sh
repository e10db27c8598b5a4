#!/bin/sh
# Streams random targeted vectors from gen.c under qemu-riscv64 into
# stress.ts, which checks them against executeFp. Nothing is written to the
# tree. Usage: stress.sh [ROUNDS] [SEED]   (one round = 33 ops x 5 modes)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
riscv64-linux-gnu-gcc -static -O1 -Wall -Wextra -Wno-unused-parameter \
  -o "$tmp/gen" "$here/gen.c"
qemu-riscv64 -L /usr/riscv64-linux-gnu "$tmp/gen" stress "${1:-2000}" "${2:-1}" |
  deno run --allow-read "$here/stress.ts"
