#!/usr/bin/env bash
# Build the GOV.UK Frontend assets for ISA Portal into static/govuk/.
# Needs Node + npm only at build time; the outputs are committed, so running
# the Django app needs no Node. Safe to re-run: static/govuk/ is rebuilt from
# scratch each time (this script owns that directory entirely).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
dist="$here/node_modules/govuk-frontend/dist/govuk"
out="$repo/static/govuk"

cd "$here"

# Exact versions from package-lock.json. The optional file-watcher that sass
# can use (@parcel/watcher) and all install scripts are not needed to compile.
npm ci --omit=optional --ignore-scripts --no-audit --no-fund

rm -rf "$out"
mkdir -p "$out/assets/images"

# CSS: compile src/application.scss (Arial, no @font-face, /static/ asset paths).
npm run --silent build

# JS: the ES module bundle (exports initAll, createAll, the components...).
# Drop the trailing sourceMappingURL comment: the .map is not shipped.
sed -e 's|//# sourceMappingURL=[^[:space:]]*$||' \
  "$dist/govuk-frontend.min.js" >"$out/govuk-frontend.min.js"

# Images (favicons, icons, crest) and the web app manifest. No fonts.
cp "$dist"/assets/images/* "$out/assets/images/"
if [[ -f "$dist/assets/manifest.json" ]]; then
  cp "$dist/assets/manifest.json" "$out/assets/manifest.json"
fi

# GOV.UK's accessible-autocomplete (the pickers of children and agencies, static/js/app.js): its
# compiled script and styles, without source maps, into their own folder.
auto="$repo/static/autocomplete"
rm -rf "$auto"
mkdir -p "$auto"
for ext in js css; do
  sed -e 's|/\*# sourceMappingURL=[^*]*\*/||' -e 's|//# sourceMappingURL=[^[:space:]]*$||' \
    "$here/node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.$ext" \
    >"$auto/accessible-autocomplete.min.$ext"
done
cp "$here/node_modules/accessible-autocomplete/LICENSE.txt" "$auto/LICENSE.txt"

# Guard the constraints this build exists for.
css="$out/govuk-frontend.min.css"
if grep -qi -e 'GDS Transport' -e '@font-face' -e '/assets/fonts' "$css"; then
  echo "error: $css references the GDS Transport font" >&2
  exit 1
fi
if grep -o 'url([^)]*)' "$css" | grep -qv '/static/govuk/assets/images/'; then
  echo "error: $css has an asset url outside /static/govuk/assets/images/" >&2
  exit 1
fi

version="$(node -p 'require("govuk-frontend/package.json").version')"
echo "Built GOV.UK Frontend $version assets (Arial, no crown font) into ${out#"$repo"/}/:"
(cd "$repo" && find "${out#"$repo"/}" -type f -print0 | sort -z | xargs -0 ls -l | awk '{printf "  %9d  %s\n", $5, $9}')
