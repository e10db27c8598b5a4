#!/usr/bin/env bash
# Installs the machine packages zkabi's tests and tools use: Deno (from npm);
# from Debian, qemu-user (the reference oracle), the riscv64 cross toolchain
# (its sysroot serves dynamic guests), Jupyter with the Deno kernel (the
# notebooks) and tmux (the REPL's terminal test). Safe to run again: it skips
# what is present.
set -euo pipefail
if ! command -v deno >/dev/null 2>&1; then
  npm install -g deno@2.9.6 >/dev/null 2>&1 || true
fi
need=()
command -v qemu-riscv64 >/dev/null 2>&1 || need+=(qemu-user)
command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 || need+=(gcc-riscv64-linux-gnu)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || true
fi
echo "setup: deno $(deno --version 2>/dev/null | head -n 1 | cut -d' ' -f2), qemu-riscv64 $(command -v qemu-riscv64 >/dev/null && echo present || echo absent)"
# Jupyter for the notebooks (deno task notebooks) and tmux for the REPL's terminal test.
jneed=()
jupyter --version 2>/dev/null | grep -q '^nbclient' || jneed+=(jupyter-nbconvert jupyter-client python3-nbclient)
command -v tmux >/dev/null 2>&1 || jneed+=(tmux)
if [ ${#jneed[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${jneed[@]}" >/dev/null 2>&1 || true
fi
if command -v jupyter >/dev/null 2>&1 && ! jupyter kernelspec list 2>/dev/null | grep -q '^ *deno '; then
  deno jupyter --install --force >/dev/null 2>&1 || true
fi
# The pinned riscv64 sysroot of the dynamic Rust guest (deno task analyze fetches it too).
deno run -A scripts/sysroot.ts 2>&1 | tail -n 1 || true
