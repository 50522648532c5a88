#!/usr/bin/env bash
# Install the Debian packages the project needs, only those that are missing.
#   graphviz       flow pictures in the admin (dot)
#   fonts-dejavu-core  Vietnamese glyphs for flow pictures and PDFs
#   gettext        compiling translations (msgfmt)
#   libharfbuzz-subset0  font subsetting for WeasyPrint's PDFs
#   poppler-utils, libnss3-tools  pdfsig and certutil: the signed-PDF check with poppler
#   chromium       the browser the Playwright tests drive (never downloaded by Playwright)
set -euo pipefail

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset.so.0 || missing+=(libharfbuzz-subset0)
command -v pdfsig >/dev/null 2>&1 || missing+=(poppler-utils)
command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools)
[ -x /usr/bin/chromium ] || missing+=(chromium)

[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "error: need root (or sudo) to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
