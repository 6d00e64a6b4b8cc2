#!/usr/bin/env bash
# Builds the addon with AddressSanitizer (native/build-asan/) and runs asan-exercise.mjs against
# it with libasan preloaded (node itself is not instrumented). Any ASan report fails the run.
# Leak detection is off: node does not free everything at exit, and the addon's leaks are
# checked by the start/stop cycle test instead (descriptors and RSS).
set -euo pipefail
cd "$(dirname "$0")/../.."

libasan() { g++ -print-file-name=libasan.so; }
if [ ! -e "$(libasan)" ]; then
  # Debian's gcc 12-14 ship it as libasan8; libgcc-N-dev depends on the right one otherwise.
  echo "asan: libasan not found; installing it from Debian" >&2
  apt-get update -qq >/dev/null
  apt-get install -y -qq libasan8 >/dev/null || apt-get install -y -qq "libgcc-$(g++ -dumpversion | cut -d. -f1)-dev" >/dev/null
fi
lib="$(libasan)"
[ -e "$lib" ] || { echo "asan: libasan.so still missing" >&2; exit 1; }

node scripts/build-native.mjs --asan >/dev/null
addon="$PWD/native/build-asan/build/Release/contrail_udp.node"
logs="$(mktemp -d)"
status=0
ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:log_path=$logs/asan" LD_PRELOAD="$lib" \
  node native/test/asan-exercise.mjs "$addon" || status=$?
if compgen -G "$logs/asan*" >/dev/null; then
  cat "$logs"/asan* >&2
  echo "asan: AddressSanitizer reported errors" >&2
  status=1
fi
rm -rf "$logs"
exit "$status"
