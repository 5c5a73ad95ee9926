"""Open the window with a case filled in: for the CI screenshot and docs/window.png.

    python -m baclofen_cds.ui.demo examples/adult-spasticity-ms.json --seconds 20
    python -m baclofen_cds.ui.demo examples/adult-spasticity-ms.json --grab docs/window.png

Settings and records stay in a throwaway folder: a demo never touches the user's own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m baclofen_cds.ui.demo")
    parser.add_argument("case", type=Path, help="a case file (examples/*.json)")
    parser.add_argument("--seconds", type=float, default=0, help="stay open this long")
    parser.add_argument("--grab", type=Path, help="save a picture of the window here and exit")
    parser.add_argument("--expand", default="", help="id of an alert to show expanded")
    parser.add_argument("--size", default="", help="window size, e.g. 1500x1050")
    parser.add_argument(
        "--ready-file", type=Path, help="written once the filled window has been painted"
    )
    args = parser.parse_args(argv)

    sandbox = tempfile.mkdtemp(prefix="baclofen-cds-demo-")
    os.environ["XDG_CONFIG_HOME"] = sandbox
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from baclofen_cds.ui.engine import Engine
    from baclofen_cds.ui.main_window import MainWindow
    from baclofen_cds.ui.settings import AppSettings

    app = QApplication(sys.argv[:1])
    settings = AppSettings(QSettings(f"{sandbox}/settings.ini", QSettings.Format.IniFormat))
    settings.set("clinician/name", "Dr A. Example")
    case = json.loads(args.case.read_text(encoding="utf-8"))
    start = case.get("start_date")
    window = MainWindow(settings, today=date.fromisoformat(start) if start else date.today)
    window.attach_engine(Engine.load())
    window.form.load_case(case)
    window.records_ctl.unavailable("demo: no records database is opened")
    if args.expand:
        window.panel.alerts.card(args.expand).set_expanded(True)
    if args.size:
        width, height = (int(v) for v in args.size.lower().split("x"))
        window.resize(width, height)
    window.show()
    window.raise_()

    def finish() -> None:
        if args.grab:
            args.grab.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(args.grab)):
                print(f"could not save {args.grab}", file=sys.stderr)
                app.exit(1)
                return
        app.quit()

    if args.ready_file is not None:
        ready: Path = args.ready_file

        def painted() -> None:
            app.processEvents()
            ready.write_text("ready\n", encoding="utf-8")

        QTimer.singleShot(1000, painted)
    if args.grab:
        QTimer.singleShot(1500, finish)
    elif args.seconds:
        QTimer.singleShot(int(args.seconds * 1000), finish)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
