#!/usr/bin/env bash
# The BPF object that goes into the scratch-kernel jar.
#
#   build.sh <source dir> <output .o> [auto|none|<clang>]   (Maven, process-resources)
#       auto (default): compile with the newest clang >= 15 on PATH if libbpf-dev's headers are
#       there too; otherwise copy the committed sched_scratch.bpf.o. none: always copy it.
#       Anything else: the clang command to compile with.
#   build.sh --commit   recompile the committed sched_scratch.bpf.o and rewrite
#                       sched_scratch.bpf.o.sha256 (the hashes of the object and its sources)
#   build.sh --check    recompile into a temporary file and compare it byte for byte with the
#                       committed object (fails unless the recorded compiler is the one found)
#
# A normal build never writes the committed files: compiled objects go to <output .o> (target/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd -P)"
committed="$here/sched_scratch.bpf.o"
hashes="$here/sched_scratch.bpf.o.sha256"
CFLAGS=(-O2 -g -Wall -Werror -target bpf)

# clang >= 15 emits BTF type tags (the kernel recognises __uptr by the tag "uptr"); bookworm's
# default clang 14 silently drops them, and the map would then be created without a uptr field.
find_clang() {
  local want="$1" c major
  if [ "$want" != auto ]; then
    command -v "$want" >/dev/null 2>&1 || { why="$want not found"; return 1; }
    set -- "$want"
  else
    set -- clang-20 clang-19 clang-18 clang-17 clang-16 clang-15 clang
  fi
  for c in "$@"; do
    if command -v "$c" >/dev/null 2>&1; then
      major=$("$c" -dumpversion | cut -d. -f1)
      if [ "$major" -ge 15 ]; then cc="$c"; break; fi
    fi
  done
  if [ -z "${cc:-}" ]; then why="no clang >= 15 on PATH (BTF type tags for __uptr)"; return 1; fi
  if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then why="$cc found but /usr/include/bpf/bpf_helpers.h is missing (libbpf-dev)"; return 1; fi
}

# compile <src dir> <out>: file paths in the debug info are made relative, so the object does not
# depend on where the checkout is and --check can compare bytes.
compile() {
  local src out multiarch inc=()
  src="$(cd "$1" && pwd -P)"; out="$2"
  multiarch=$(gcc -dumpmachine 2>/dev/null || echo "$(uname -m)-linux-gnu")
  [ -d "/usr/include/$multiarch" ] && inc=(-I"/usr/include/$multiarch")
  mkdir -p "$(dirname "$out")"
  (cd "$src" && "$cc" "${CFLAGS[@]}" "${inc[@]}" -ffile-prefix-map="$src"=. -c sched_scratch.bpf.c -o "$out.tmp")
  mv "$out.tmp" "$out"
}

compiler_id() { "$cc" --version | head -1; }

# The inputs a change of which needs a recompile: the program and any header next to it.
sources() { (cd "$here" && shopt -s nullglob && for f in *.bpf.c *.h; do echo "$f"; done); }

case "${1:-}" in
  --commit)
    find_clang auto || { echo "build.sh --commit: $why" >&2; exit 1; }
    compile "$here" "$committed"
    {
      echo "# SHA-256 of the committed BPF object and of the sources it was compiled from (sha256sum -c format)."
      echo "# Regenerate both files with scratch-kernel/src/main/bpf/build.sh --commit; KernelObjectTest checks them."
      echo "# compiler: $(compiler_id)"
      echo "# flags: ${CFLAGS[*]} -ffile-prefix-map=<source dir>=."
      echo "# headers: $(dpkg-query -W -f='${Package} ${Version}, ' libbpf-dev linux-libc-dev 2>/dev/null | sed 's/, $//')"
      (cd "$here" && sha256sum $(sources) sched_scratch.bpf.o)
    } > "$hashes"
    echo "[scratch-kernel] committed object rebuilt with $(compiler_id): $committed, hashes in $hashes"
    ;;
  --check)
    find_clang auto || { echo "build.sh --check: $why" >&2; exit 1; }
    recorded=$(sed -n 's/^# compiler: //p' "$hashes")
    if [ "$recorded" != "$(compiler_id)" ]; then
      echo "build.sh --check: the committed object was compiled by '$recorded', here $cc is '$(compiler_id)': bytes cannot be compared" >&2
      exit 1
    fi
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    compile "$here" "$tmp/sched_scratch.bpf.o"
    if cmp -s "$tmp/sched_scratch.bpf.o" "$committed"; then
      echo "[scratch-kernel] committed sched_scratch.bpf.o is byte-identical to a fresh compile of its source"
    else
      echo "build.sh --check: sched_scratch.bpf.o differs from a fresh compile of sched_scratch.bpf.c; run build.sh --commit" >&2
      exit 1
    fi
    ;;
  *)
    src="$1"; out="$2"; want="${3:-auto}"
    if [ "$want" != none ] && find_clang "$want"; then
      compile "$src" "$out"
      echo "[scratch-kernel] BPF object compiled with $cc $("$cc" -dumpversion): $out"
    else
      [ "$want" = none ] && why="bpf.clang=none"
      if [ "$want" != none ] && [ "$want" != auto ]; then echo "build.sh: bpf.clang=$want: $why" >&2; exit 1; fi
      mkdir -p "$(dirname "$out")"
      cp "$committed" "$out.tmp" && mv "$out.tmp" "$out"
      echo "[scratch-kernel] BPF object: the committed $(basename "$committed") ($why)"
    fi
    ;;
esac
