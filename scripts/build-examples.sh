#!/bin/sh
# Regenerates resources/examples: each .c compiles with clang-19 -O2 -g -target bpf into a .o,
# and llvm-objdump-19 -d -S -r writes its annotated assembly to a .objdump file.
# Paths are made relative (-fdebug-prefix-map) so the objects do not depend on the checkout.
set -eu
cd "$(dirname "$0")/../resources/examples"
CLANG=${CLANG:-clang-19}
OBJDUMP=${OBJDUMP:-llvm-objdump-19}

# name and extra flags (-mcpu) per example; the mix covers the default cpu, v2, v3 and v4.
while read -r name flags; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	$CLANG -O2 -g -target bpf $flags -fdebug-prefix-map="$PWD"=. -c "$name.c" -o "$name.o"
	$OBJDUMP -d -S -r --no-show-raw-insn "$name.o" | sed "s|$PWD|.|g" > "$name.objdump"
	echo "built $name.o ($flags)"
done <<'LIST'
kprobe_openat
xdp_parse -mcpu=v3
tp_counter
fentry_args -mcpu=v3
syscall_prog -mcpu=v4
subprog_loop -mcpu=v4
global_data -mcpu=v2
legacy_maps -mcpu=v1
LIST
