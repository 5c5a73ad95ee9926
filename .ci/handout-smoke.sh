#!/usr/bin/env bash
# Smoke test of the patient handout as a clinic prints it: the command line renders an
# example handout (and its large-print variant and the clinician summary), and poppler's
# pdftoppm rasterises page 1 of each. Fails if any step fails or produces an empty file.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cli=.venv/bin/baclofen-cds
[ -x "$cli" ] || cli="baclofen-cds"
# A handout needs the clinic's phone and country: the example clinic's policy file.
policy=examples/policy/riverside-gb.yaml
"$cli" recommend --input examples/adult-spasticity-ms.json --handout "$out/x.pdf" \
  --clinician-summary "$out/summary.pdf" --policy "$policy" \
  --acknowledge-all benefit_outweighs_risk >/dev/null
"$cli" recommend --input examples/child-cerebral-palsy.json --handout "$out/large.pdf" \
  --large-print --policy "$policy" --acknowledge-all benefit_outweighs_risk >/dev/null
# Without a phone to call, no handout: exit 2 and nothing written.
if "$cli" recommend --input examples/dialysis.json --handout "$out/none.pdf" --country GB \
  >/dev/null 2>&1; then
  echo "handout-smoke: a handout was printed without a clinic phone" >&2; exit 1
fi
[ ! -e "$out/none.pdf" ] || { echo "handout-smoke: a refused handout was written" >&2; exit 1; }
for pdf in x summary large; do
  pdftoppm -png -r 80 -f 1 -l 1 "$out/$pdf.pdf" "$out/$pdf"
  png="$(ls "$out/$pdf"-*1.png)"
  [ -s "$png" ] || { echo "handout-smoke: $pdf page 1 did not render" >&2; exit 1; }
done
echo "handout-smoke: handout, large print and clinician summary rendered ($(pdfinfo "$out/x.pdf" | awk '/^Pages/ {print $2}') pages)"
