#!/usr/bin/env bash
# Builds .device-kit/ with the shared make-kit.sh (Node.js, Vulkan loader, Dawn), then shrinks it so
# that kit + working tree + bundle stay under the GPU machine's 64 MiB transfer limit:
# dawn.node (21 MB) travels xz-compressed (~5 MB) and is unpacked by setup.sh on arrival.
# Usage (project root, after npm ci): bash scripts/device-kit.sh [path/to/make-kit.sh]
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
make_kit=${1:-${MAGIC_MAKE_KIT:-../shared/device/make-kit.sh}}
bash "$make_kit"
addon=.device-kit/node_modules/webgpu/dist/linux-x64/dawn.node
if [ -f "$addon" ]; then
  xz -T2 -9 -c "$addon" > .device-kit/dawn.node.xz
  rm -f "$addon"
fi
if ! grep -q 'dawn.node.xz' .device-kit/setup.sh; then
  cat >> .device-kit/setup.sh <<'SETUP'
# dawn.node travels compressed (scripts/device-kit.sh)
if [ -f "$kit/dawn.node.xz" ] && [ ! -f node_modules/webgpu/dist/linux-x64/dawn.node ]; then
  mkdir -p node_modules/webgpu/dist/linux-x64
  xz -dc "$kit/dawn.node.xz" > node_modules/webgpu/dist/linux-x64/dawn.node
fi
SETUP
fi
du -sh .device-kit | awk '{print "device-kit: " $1 " in .device-kit"}'
