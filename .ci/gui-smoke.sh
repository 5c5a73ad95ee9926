#!/usr/bin/env bash
# The window, started for real under Xvfb (xcb platform, not offscreen):
#   1. `baclofen-cds --startup-check` opens the window, waits for its first paint, exits 0;
#   2. the window with a filled example case is photographed with ImageMagick
#      (`import -window root`); the run fails when the picture is missing or blank.
# Needs (installed by .ci/run): xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0
# libxkbcommon-x11-0 imagemagick. Run from the repository root after `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
OUT=${GUI_SMOKE_OUT:-$(mktemp -d)}
mkdir -p "$OUT"
unset QT_QPA_PLATFORM  # a real X server here, not the tests' offscreen platform
export QT_QPA_PLATFORM=xcb
export XDG_CONFIG_HOME="$OUT/config" XDG_DATA_HOME="$OUT/data" XDG_CACHE_HOME="$OUT/cache"
SCREEN="-screen 0 1600x1100x24"

echo "--- startup check under Xvfb"
ms=$(xvfb-run -a -s "$SCREEN" "$VENV/bin/baclofen-cds" --startup-check 2>"$OUT/startup.err") || {
  cat "$OUT/startup.err" >&2
  echo "gui-smoke: --startup-check failed" >&2
  exit 1
}
# milliseconds to the tenth (e.g. 121.8): digits, then at most one decimal part
if ! [[ "$ms" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
  echo "gui-smoke: --startup-check printed '$ms', not milliseconds" >&2; exit 1
fi
echo "first paint after ${ms} ms"

echo "--- screenshot of the window with a filled example case"
cat >"$OUT/shoot.sh" <<SHOOT
set -eu
"$VENV/bin/python" -m baclofen_cds.ui.demo examples/adult-spasticity-ms.json --seconds 25 \
  --size 1500x1050 --ready-file "$OUT/ready" >"$OUT/demo.log" 2>&1 &
app=\$!
for _ in \$(seq 1 40); do
  [ -f "$OUT/ready" ] && break
  sleep 0.5
done
sleep 1
import -window root "$OUT/window.png"
kill \$app 2>/dev/null || true
wait \$app 2>/dev/null || true
SHOOT
xvfb-run -a -s "$SCREEN" bash "$OUT/shoot.sh"
if [ ! -s "$OUT/window.png" ]; then
  echo "gui-smoke: no screenshot was taken" >&2
  cat "$OUT/demo.log" >&2 || true
  exit 1
fi
# A blank screen has one colour (standard deviation 0); the window has text, colour, tables.
colours=$(identify -format '%k' "$OUT/window.png")
spread=$(identify -format '%[fx:standard_deviation]' "$OUT/window.png")
echo "screenshot: $OUT/window.png, $colours colours, standard deviation $spread"
if [ "$colours" -lt 50 ] || awk "BEGIN { exit !($spread < 0.02) }"; then
  echo "gui-smoke: the screenshot looks blank" >&2
  cat "$OUT/demo.log" >&2 || true
  exit 1
fi
echo "gui-smoke: passed"
