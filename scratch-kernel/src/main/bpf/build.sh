#!/usr/bin/env bash
# Compiles sched_scratch.bpf.c into the module's resources (called by Maven, exec:exec).
# Usage: build.sh <source dir> <output .o>
# Without a suitable clang it prints why and exits 0: the build passes, the kernel tests skip.
set -euo pipefail
src="$1"; out="$2"
cc=""
# clang >= 15 emits BTF type tags (the kernel recognises __uptr by the tag "uptr"); bookworm's
# default clang 14 silently drops them, and the map would then be created without a uptr field.
for c in clang-20 clang-19 clang-18 clang-17 clang-16 clang-15 clang; do
  if command -v "$c" >/dev/null 2>&1; then
    major=$("$c" -dumpversion | cut -d. -f1)
    if [ "$major" -ge 15 ]; then cc="$c"; break; fi
  fi
done
if [ -z "$cc" ]; then
  echo "[scratch-kernel] BPF object NOT built: no clang >= 15 (BTF type tags for __uptr); install clang-16 (Debian bookworm) — kernel tests will skip"
  exit 0
fi
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
  echo "[scratch-kernel] BPF object NOT built: /usr/include/bpf/bpf_helpers.h missing; install libbpf-dev — kernel tests will skip"
  exit 0
fi
inc=""
multiarch=$(gcc -dumpmachine 2>/dev/null || echo "$(uname -m)-linux-gnu")
[ -d "/usr/include/$multiarch" ] && inc="-I/usr/include/$multiarch"
mkdir -p "$(dirname "$out")"
"$cc" -O2 -g -Wall -Werror -target bpf $inc -c "$src/sched_scratch.bpf.c" -o "$out"
echo "[scratch-kernel] BPF object built with $cc $("$cc" -dumpversion): $out"
