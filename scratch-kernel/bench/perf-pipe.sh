#!/usr/bin/env bash
# Interleaved `perf bench sched pipe` (same CPU) with and without the program attached
# (KernelMeasure hold). Needs root, linux-perf, a packaged scratch-kernel (mvn -pl scratch-kernel -am package).
# Usage: JAVA=/path/to/jdk-25/bin/java LOOPS=200000 scratch-kernel/bench/perf-pipe.sh
set -u
cd "$(dirname "$0")/../.."
J=${JAVA:-java}  # JDK 25
CP=scratch-kernel/target/scratch-kernel-0.1.0-SNAPSHOT.jar:scratch-api/target/scratch-api-0.1.0-SNAPSHOT.jar
LOOPS=${LOOPS:-200000}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for rep in 1 2 3 4 5; do
  off=$(taskset -c 0 perf bench sched pipe -l $LOOPS 2>/dev/null | awk '/usecs\/op/ {print $1}')
  $J --enable-native-access=ALL-UNNAMED -cp $CP io.taskscratch.kernel.KernelMeasure hold 60 > "$out" 2>&1 &
  hold=$!
  until grep -q attached "$out" 2>/dev/null; do sleep 0.2; done
  on=$(taskset -c 0 perf bench sched pipe -l $LOOPS 2>/dev/null | awk '/usecs\/op/ {print $1}')
  kill $hold; wait $hold 2>/dev/null
  echo "rep $rep: detached $off usecs/op, attached $on usecs/op"
done
