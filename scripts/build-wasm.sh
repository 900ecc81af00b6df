#!/usr/bin/env bash
# Rebuild the WebAssembly SIMD128 kernels from wasm/src/*.c with Debian's clang 14 + lld 14
# (apt-get install clang-14 lld-14). The built .wasm files are committed, so this is only needed after editing C.
#   wasm/elmscale.wasm          single-threaded: imports a plain memory (loads in every browser and in Node)
#   wasm/elmscale-threads.wasm  imports a shared memory so several instances (worker threads) compute together
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-$(command -v clang-14 || command -v clang)}
LD_DIR=$(dirname "$(command -v wasm-ld-14 || command -v wasm-ld)")
# clang looks for "wasm-ld"; Debian ships it as wasm-ld-14, so expose it under that name.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ln -s "$(command -v wasm-ld-14 || command -v wasm-ld)" "$TMP/wasm-ld"
export PATH="$TMP:$PATH:$LD_DIR"
SRC=(wasm/src/gemm.c wasm/src/act.c wasm/src/dense.c wasm/src/tiled.c wasm/src/chol.c wasm/src/int8.c)
CFLAGS=(--target=wasm32 -O3 -msimd128 -mmutable-globals -nostdlib -ffreestanding -fno-builtin -Wall -Wextra
  -Wno-unused-parameter -fvisibility=hidden)
LDFLAGS=(-Wl,--no-entry -Wl,--export-dynamic -Wl,--import-memory -Wl,--export=__heap_base
  -Wl,--export=__stack_pointer -Wl,-z,stack-size=65536 -Wl,--initial-memory=1048576 -Wl,--max-memory=4294967296
  -Wl,--strip-all)
"$CC" "${CFLAGS[@]}" "${LDFLAGS[@]}" -o wasm/elmscale.wasm "${SRC[@]}"
"$CC" "${CFLAGS[@]}" -matomics -mbulk-memory "${LDFLAGS[@]}" -Wl,--shared-memory -o wasm/elmscale-threads.wasm "${SRC[@]}"
ls -l wasm/*.wasm
