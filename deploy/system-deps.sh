#!/usr/bin/env bash
# Install the system packages popgate's OCR and its tests need (Debian/Ubuntu), when missing.
# --warn-only: report what is missing and carry on (used by `make run`).
set -euo pipefail
PACKAGES=(tesseract-ocr tesseract-ocr-vie fonts-dejavu-core fonts-noto-core fonts-liberation2)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${1:-}" = "--warn-only" ]; then
  echo "note: OCR needs these system packages: ${missing[*]} (run 'make test' as root, or apt-get install them)" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "error: missing system packages: ${missing[*]}" >&2
  echo "       install them as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
