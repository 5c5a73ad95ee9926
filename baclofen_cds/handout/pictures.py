"""Vector pictures of the handout, drawn with reportlab: tablets and halves, an oral syringe
filled to this patient's dose, packets, and the morning/midday/evening/bedtime symbols.

Black line work on white with one grey fill (contrast over 3:1, never colour alone): every
picture sits beside the words that say the same thing, so it helps and cannot mislead.
"""

from __future__ import annotations

import math
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable

from baclofen_cds.handout.fonts import REGULAR

INK = colors.black
FILL = colors.HexColor("#8C8C8C")  # dose fill: grey, 3.4:1 against white
PAPER = colors.white

#: Oral syringe sizes (mL) a pharmacy hands out; the smallest that holds the dose is drawn.
SYRINGE_SIZES: tuple[float, ...] = (1, 2.5, 5, 10, 20)


class _Picture(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self.width = width
        self.height = height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height


class TabletsPicture(_Picture):
    """`count` tablets in halves: whole round tablets with a score line, a half as a half."""

    def __init__(self, count: float, size: float) -> None:
        self.count = count
        self.size = size
        whole = int(count)
        half = count - whole > 0
        shown = whole + (1 if half else 0)
        super().__init__(max(1, shown) * size * 1.2, size)

    def draw(self) -> None:
        c = self.canv
        r = self.size / 2 * 0.95
        whole = int(self.count)
        half = self.count - whole > 0
        c.setLineWidth(max(0.8, self.size / 18))
        c.setStrokeColor(INK)
        for i in range(whole + (1 if half else 0)):
            cx = self.size * 1.2 * i + self.size / 2
            cy = self.size / 2
            if i < whole:
                c.setFillColor(PAPER)
                c.circle(cx, cy, r, stroke=1, fill=1)
                c.line(cx, cy - r * 0.8, cx, cy + r * 0.8)  # the score line
            else:
                # The half to take, solid; the other half dashed (put away).
                c.setDash(2, 2)
                c.circle(cx, cy, r, stroke=1, fill=0)
                c.setDash()
                c.setFillColor(FILL)
                path = c.beginPath()
                path.moveTo(cx, cy + r)
                path.arcTo(cx - r, cy - r, cx + r, cy + r, startAng=90, extent=180)
                path.close()
                c.drawPath(path, stroke=1, fill=1)


class PacketsPicture(_Picture):
    def __init__(self, count: float, size: float) -> None:
        self.count = max(1, int(count))
        self.size = size
        super().__init__(self.count * size * 0.95, size)

    def draw(self) -> None:
        c = self.canv
        c.setLineWidth(max(0.8, self.size / 18))
        for i in range(self.count):
            x = i * self.size * 0.95
            c.setFillColor(PAPER)
            c.rect(x + 1, 1, self.size * 0.75, self.size - 2, stroke=1, fill=1)
            c.setDash(1.5, 1.5)
            c.line(x + 1, self.size * 0.8, x + 1 + self.size * 0.75, self.size * 0.8)
            c.setDash()


def syringe_size(ml: float) -> float:
    for size in SYRINGE_SIZES:
        if ml <= size + 1e-9:
            return size
    return SYRINGE_SIZES[-1]


class SyringePicture(_Picture):
    """An oral syringe lying down, tip left, filled (grey) up to `ml` on its mL scale."""

    def __init__(self, ml: float, width: float, height: float, number: str, font_size: float):
        self.ml = ml
        self.capacity = syringe_size(ml)
        self.number = number  # the fill mark's label, e.g. "2.5" (mL is in the words)
        self.font_size = font_size
        super().__init__(width, height)

    def draw(self) -> None:
        c = self.canv
        h = self.height
        w = self.width
        tip = w * 0.08
        barrel_w = w * 0.68
        barrel_h = h * 0.42
        y0 = h * 0.5
        x0 = tip
        lw = max(0.8, h / 30)
        c.setLineWidth(lw)
        c.setStrokeColor(INK)
        # Tip.
        c.rect(0, y0 + barrel_h * 0.35, tip, barrel_h * 0.3, stroke=1, fill=0)
        # Fill from the tip to the dose.
        fill_w = barrel_w * min(1.0, self.ml / self.capacity)
        c.setFillColor(FILL)
        c.rect(x0, y0, fill_w, barrel_h, stroke=0, fill=1)
        # Barrel.
        c.rect(x0, y0, barrel_w, barrel_h, stroke=1, fill=0)
        # Graduations: one a mL (or a tenth of the barrel for small syringes).
        step = 1.0 if self.capacity >= 5 else self.capacity / 10
        marks = round(self.capacity / step)
        c.setLineWidth(lw * 0.6)
        for i in range(1, marks):
            x = x0 + barrel_w * i / marks
            c.line(x, y0 + barrel_h, x, y0 + barrel_h * (0.7 if i % 5 else 0.5))
        # Plunger: the stopper at the fill line, the rod to the thumb rest.
        c.setLineWidth(lw)
        stop_x = x0 + fill_w
        c.setFillColor(INK)
        c.rect(stop_x, y0 + 1, max(2.0, lw * 2), barrel_h - 2, stroke=0, fill=1)
        rod_end = x0 + barrel_w + w * 0.2
        c.line(stop_x, y0 + barrel_h / 2, rod_end, y0 + barrel_h / 2)
        c.line(rod_end, y0 + barrel_h * 0.05, rod_end, y0 + barrel_h * 0.95)
        # Finger flange.
        c.line(x0 + barrel_w, y0 - barrel_h * 0.25, x0 + barrel_w, y0 + barrel_h * 1.25)
        # The fill line, marked below the barrel with an arrow and the number.
        c.setLineWidth(lw * 1.4)
        c.line(stop_x, y0 - 1, stop_x, y0 - h * 0.12)
        c.setFont(REGULAR, self.font_size)
        c.setFillColor(INK)
        c.drawCentredString(
            min(max(stop_x, self.font_size * 1.2), w - self.font_size * 1.2),
            y0 - h * 0.12 - self.font_size,
            self.number,
        )


class TimesPicture(_Picture):
    """The Universal Medication Schedule symbols, side by side, in schedule order."""

    def __init__(self, times: tuple[str, ...], size: float) -> None:
        self.times = times
        self.size = size
        super().__init__(len(times) * size * 1.25, size)

    def draw(self) -> None:
        for i, time in enumerate(self.times):
            draw_time_symbol(self.canv, time, i * self.size * 1.25, 0, self.size)


def draw_time_symbol(canvas: Any, time: str, x: float, y: float, size: float) -> None:
    """Sunrise (arrow up), full sun, sunset (arrow down), moon and star."""
    s = size
    cx, horizon = x + s / 2, y + s * 0.3
    canvas.saveState()
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(max(0.8, s / 16))
    r = s * 0.22
    if time in ("morning", "evening"):
        canvas.setFillColor(PAPER)
        path = canvas.beginPath()
        path.moveTo(cx + r, horizon)
        path.arcTo(cx - r, horizon - r, cx + r, horizon + r, startAng=0, extent=180)
        path.close()
        canvas.drawPath(path, stroke=1, fill=1)
        for angle in (30, 60, 90, 120, 150):
            a = math.radians(angle)
            canvas.line(
                cx + math.cos(a) * r * 1.35,
                horizon + math.sin(a) * r * 1.35,
                cx + math.cos(a) * r * 1.8,
                horizon + math.sin(a) * r * 1.8,
            )
        canvas.line(x + s * 0.05, horizon, x + s * 0.95, horizon)
        # Arrow under the horizon: up in the morning, down in the evening.
        ax = cx
        top, bottom = y + s * 0.22, y + s * 0.02
        canvas.line(ax, top, ax, bottom)
        tip, back = (top, top - s * 0.08) if time == "morning" else (bottom, bottom + s * 0.08)
        canvas.line(ax - s * 0.07, back, ax, tip)
        canvas.line(ax + s * 0.07, back, ax, tip)
    elif time == "midday":
        cy = y + s * 0.5
        canvas.setFillColor(FILL)
        canvas.circle(cx, cy, r, stroke=1, fill=1)
        for k in range(8):
            a = math.radians(k * 45)
            canvas.line(
                cx + math.cos(a) * r * 1.35,
                cy + math.sin(a) * r * 1.35,
                cx + math.cos(a) * r * 1.95,
                cy + math.sin(a) * r * 1.95,
            )
    else:  # bedtime: a crescent moon and a star
        cy = y + s * 0.5
        big = s * 0.34
        canvas.setFillColor(FILL)
        canvas.circle(cx - s * 0.05, cy, big, stroke=1, fill=1)
        canvas.setFillColor(PAPER)
        canvas.setStrokeColor(PAPER)
        canvas.circle(cx + s * 0.1, cy + s * 0.08, big * 0.85, stroke=1, fill=1)
        canvas.setStrokeColor(INK)
        sx, sy, sr = x + s * 0.8, y + s * 0.8, s * 0.1
        for k in range(4):
            a = math.radians(k * 45)
            canvas.line(
                sx - math.cos(a) * sr,
                sy - math.sin(a) * sr,
                sx + math.cos(a) * sr,
                sy + math.sin(a) * sr,
            )
    canvas.restoreState()
