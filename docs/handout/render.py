"""Rebuild the page images of docs/handout/ from the examples (run from the checkout root).

    .venv/bin/python docs/handout/render.py

Each example is printed by the command line for the example clinic
(examples/policy/riverside-gb.yaml), in standard and large print, and the adult example in
Spanish for the US clinic; pdftoppm (poppler) rasterises every page at 50 dpi and the pages
are put side by side in one small PNG per handout (grey levels only).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "handout"
EXAMPLES = (
    "adult-spasticity-ms",
    "older-adult-ckd",
    "dialysis",
    "child-cerebral-palsy",
    "alcohol-use-disorder",
)
GB = ROOT / "examples" / "policy" / "riverside-gb.yaml"
US = ROOT / "examples" / "policy" / "lakeside-us.yaml"


def handout(case: Path, policy: Path, pdf: Path, *extra: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "baclofen_cds", "recommend", "--input", str(case),
         "--today", "2026-11-22", "--policy", str(policy), "--prescriber", "Dr A. Smith",
         "--acknowledge-all", "benefit_outweighs_risk",
         "--handout", str(pdf), *extra],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def pages_png(pdf: Path, png: Path, work: Path) -> int:
    stem = work / pdf.stem
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(stem)], check=True)
    pages = sorted(work.glob(f"{pdf.stem}-*.png"))
    images = [Image.open(p).convert("L") for p in pages]
    gap = 6
    width = sum(i.width for i in images) + gap * (len(images) - 1)
    sheet = Image.new("L", (width, max(i.height for i in images)), 160)
    x = 0
    for image in images:
        sheet.paste(image, (x, 0))
        x += image.width + gap
    sheet.quantize(colors=16).save(png, optimize=True)
    return len(images)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in EXAMPLES:
            case = ROOT / "examples" / f"{name}.json"
            for large in (False, True):
                suffix = "-large" if large else ""
                pdf = work / f"{name}{suffix}.pdf"
                handout(case, GB, pdf, *(["--large-print"] if large else []))
                count = pages_png(pdf, OUT / f"{name}{suffix}.png", work)
                print(f"{name}{suffix}: {count} pages")
        data = json.loads((ROOT / "examples" / "adult-spasticity-ms.json").read_text("utf-8"))
        data["handout_language"] = "es"
        case = work / "adult-es.json"
        case.write_text(json.dumps(data), encoding="utf-8")
        pdf = work / "adult-spasticity-ms-es.pdf"
        handout(case, US, pdf)
        count = pages_png(pdf, OUT / "adult-spasticity-ms-es.png", work)
        print(f"adult-spasticity-ms-es: {count} pages")


if __name__ == "__main__":
    main()
