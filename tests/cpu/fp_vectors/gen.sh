#!/bin/sh
# Regenerates vectors.txt: builds gen.c for riscv64 and runs it under
# qemu-user, whose softfloat gives the reference results.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
riscv64-linux-gnu-gcc -static -O1 -Wall -Wextra -Wno-unused-parameter \
  -o "$tmp/gen" "$here/gen.c"
{
  echo "# F/D reference vectors from gen.c under qemu-riscv64 (regenerate: gen.sh)."
  echo "# NAME RM FLAGS RESULT OPERAND... (hex; RM 0..4 as set in frm)"
  qemu-riscv64 -L /usr/riscv64-linux-gnu "$tmp/gen"
} >"$here/vectors.txt"
