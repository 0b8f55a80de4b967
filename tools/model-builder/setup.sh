#!/usr/bin/env bash
# What tools/model-builder needs, from Debian only: PyTorch 1.13 (python3-torch), onnx 1.12 (python3-onnx) and NumPy.
# Not part of ./mlstack setup or CI: the tests read the tiny model already built into tests/models/built-tiny, and the
# Qwen-shaped benchmark model is built on demand (docs/model-builder.md). The Qwen tokenizer it copies comes from
# tools/tokenizers, which ./mlstack setup installs (npm).
set -euo pipefail
packages=(python3-torch python3-onnx python3-numpy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
/usr/bin/python3 -c 'import torch, onnx, numpy; print(f"torch {torch.__version__}, onnx {onnx.__version__}, numpy {numpy.__version__}")'
