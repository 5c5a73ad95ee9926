"""Dialogs: acknowledge critical alerts, settings, about."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from baclofen_cds import __version__
from baclofen_cds.ui import style
from baclofen_cds.ui.acknowledgements import (
    COMMENT_REQUIRED,
    REASONS,
    Acknowledgement,
    make_acknowledgement,
)
from baclofen_cds.ui.alerts_view import members_text
from baclofen_cds.ui.settings import AppSettings


class AcknowledgeDialog(QDialog):
    """The one interruptive element: each critical alert needs a coded reason to print."""

    def __init__(self, alerts: list[Any], *, clinician: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("acknowledge_dialog")
        self.setWindowTitle("Acknowledge critical alerts before printing")
        self.alerts = list(alerts)
        self.clinician = clinician
        self.reasons: dict[str, QComboBox] = {}
        self.comments: dict[str, QLineEdit] = {}
        tone = style.SEVERITY["critical"]
        intro = QLabel(
            "Each critical alert below must be acknowledged with a reason before the handout"
            " can be printed. The reasons are saved with the assessment."
        )
        intro.setWordWrap(True)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        for alert in self.alerts:
            box = QGroupBox()
            box.setObjectName(f"ack_{alert.id}")
            form = QFormLayout(box)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            title = QLabel(f"{tone.symbol} {tone.word}: {alert.summary}")  # wraps, never clips
            title.setObjectName("ack_title")
            title.setWordWrap(True)
            title.setTextFormat(Qt.TextFormat.PlainText)
            title.setStyleSheet(f"color: {tone.foreground}; font-weight: bold;")
            form.addRow(title)
            members = members_text(alert)
            if members:
                who = QLabel(members)
                who.setWordWrap(True)
                who.setTextFormat(Qt.TextFormat.PlainText)
                form.addRow(who)
            action = QLabel(f"What to do: {alert.action}")
            action.setWordWrap(True)
            action.setTextFormat(Qt.TextFormat.PlainText)
            form.addRow(action)
            reason = QComboBox()
            reason.setObjectName(f"reason_{alert.id}")
            reason.setAccessibleName(f"Reason for acknowledging: {alert.summary}")
            reason.addItem("— choose a reason —", None)
            for code, text in REASONS:
                reason.addItem(text, code)
            comment = QLineEdit()
            comment.setObjectName(f"comment_{alert.id}")
            comment.setAccessibleName(f"Comment on: {alert.summary}")
            comment.setPlaceholderText("optional comment")
            form.addRow("Reason", reason)
            form.addRow("Comment", comment)
            reason.currentIndexChanged.connect(self._update_ok)
            comment.textChanged.connect(self._update_ok)
            self.reasons[alert.id] = reason
            self.comments[alert.id] = comment
            body_layout.addWidget(box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Acknowledge")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self._update_ok()
        fm = self.fontMetrics()
        self.resize(fm.averageCharWidth() * 90, min(fm.height() * 40, self.sizeHint().height()))

    def _complete(self, alert_id: str) -> bool:
        code = self.reasons[alert_id].currentData()
        if code is None:
            return False
        return code not in COMMENT_REQUIRED or bool(self.comments[alert_id].text().strip())

    def _update_ok(self, *args: Any) -> None:
        del args
        ok = all(self._complete(a.id) for a in self.alerts)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def choose(self, alert_id: str, code: str, comment: str = "") -> None:
        """Fill one alert's answer (used by keyboard tests and automation)."""
        combo = self.reasons[alert_id]
        combo.setCurrentIndex(combo.findData(code))
        self.comments[alert_id].setText(comment)

    def acknowledgements(self) -> list[Acknowledgement]:
        return [
            make_acknowledgement(
                a,
                self.reasons[a.id].currentData(),
                self.comments[a.id].text(),
                clinician=self.clinician,
            )
            for a in self.alerts
            if self._complete(a.id)
        ]


class SettingsDialog(QDialog):
    """Every declared setting, one row each, typed by its declaration."""

    def __init__(self, settings: AppSettings, formulations: Any = None, parent: Any = None):
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self.setWindowTitle("Settings")
        self.settings = settings
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout()
        for spec in settings:
            value = settings.get(spec.key)
            editor: QWidget
            choices = spec.choices
            if spec.key == "defaults/formulation" and formulations:
                choices = (
                    ("", "knowledge base default"),
                    *((code, str(getattr(f, "label", code))) for code, f in formulations.items()),
                )
            if choices:
                combo = QComboBox()
                for code, text in choices:
                    combo.addItem(text, code)
                index = combo.findData(value)
                combo.setCurrentIndex(max(index, 0))
                editor = combo
            elif spec.type is int:
                spin = QSpinBox()
                spin.setRange(0, 120)
                spin.setSpecialValueText("knowledge base default")
                spin.setValue(int(value))
                editor = spin
            else:
                line = QLineEdit(str(value))
                editor = line
            editor.setObjectName(spec.key.replace("/", "_"))
            editor.setAccessibleName(spec.label)
            if spec.help:
                editor.setToolTip(spec.help)
                editor.setAccessibleDescription(spec.help)
            form.addRow(spec.label, editor)
            self.editors[spec.key] = editor
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, editor in self.editors.items():
            if isinstance(editor, QComboBox):
                out[key] = editor.currentData()
            elif isinstance(editor, QSpinBox):
                out[key] = editor.value()
            elif isinstance(editor, QLineEdit):
                out[key] = editor.text().strip()
        return out

    def accept(self) -> None:
        for key, value in self.values().items():
            self.settings.set(key, value)
        self.settings.sync()
        super().accept()


def about_html(kb: Any) -> str:
    """Intended use, intended user, limitations, knowledge-base version and sources."""
    sources = "".join(
        f"<li>[{escape(s.id)}] {escape(s.title)} — grade {escape(str(s.grade))}"
        + (f' — <a href="{escape(s.url, quote=True)}">{escape(s.url)}</a>' if s.url else "")
        + "</li>"
        for s in (kb.sources if kb is not None else ())
    )
    version = escape(str(getattr(kb, "version", "not loaded")))
    reviewed = escape(str(getattr(kb, "reviewed", "—")))
    sha = escape(str(getattr(kb, "sha256", ""))[:16])
    return f"""
<h2>Baclofen CDS {escape(__version__)}</h2>
<h3>Intended use</h3>
<p>Decision support for prescribing <b>oral baclofen</b>: a suggested start dose, a dated
titration schedule, a taper plan, a monitoring plan, interaction and condition alerts, and a
plain-language handout for the patient. It supports the clinician's decision and never
replaces it: every number shows the rule, inputs, equation and sources it came from, so that
it can be reviewed independently.</p>
<h3>Intended user</h3>
<p>Licensed clinicians (physicians, pharmacists, nurse prescribers). Not for patients.</p>
<h3>Population and indications</h3>
<p>Adults with spasticity (the labelled indication); children and off-label indications
are shown with their own, separately marked rules. Intrathecal baclofen is not dosed.</p>
<h3>Inputs required</h3>
<p>Indication, age and sex; kidney function (serum creatinine, or a measured creatinine
clearance or reported eGFR) to choose a kidney band; weight and height for Cockcroft-Gault.</p>
<h3>Limitations</h3>
<ul>
<li>Creatinine-based estimates are unreliable when kidney function is changing (acute kidney
injury), at extremes of body size or muscle mass, and in amputees.</li>
<li>Co-medications the knowledge base does not know are shown as <b>not checked</b>:
they were not screened for interactions.</li>
<li>Numbers marked DERIVED are calculated from a source but not stated by it; items marked
UNVERIFIED are not confirmed by an authoritative source; the routine test interval is local
policy.</li>
<li>The knowledge base has not been reviewed by a clinician for local use; check it against
the current label.</li>
</ul>
<h3>Knowledge base</h3>
<p>Version {version}, reviewed {reviewed}, SHA-256 {sha}…</p>
<h3>Source register</h3>
<ul>{sources}</ul>
"""


class AboutDialog(QDialog):
    def __init__(self, kb: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("About Baclofen CDS")
        self.text = QTextBrowser()
        self.text.setObjectName("about_text")
        self.text.setOpenExternalLinks(True)
        self.text.setHtml(about_html(kb))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 90, self.fontMetrics().height() * 34)


class OverrideDialog(QDialog):
    """Proceed under specialist override: a coded reason, the clinician and a note.

    The reasons are the knowledge base's (`regimen_withheld.override_reasons`); the window
    sends the answer as the case's `override`, and the engine decides what it lifts.
    """

    def __init__(
        self, withheld: Any, *, clinician: str = "", reasons: Any = (), parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("override_dialog")
        self.setWindowTitle("Proceed under specialist override")
        intro = QLabel(
            "No dose is shown because: "
            + str(getattr(withheld, "reason", "") or "the case needs specialist review")
            + "\n\nA dose is shown only under a documented override. The reason, your name"
            " and the note are saved with the assessment and printed on the clinician summary."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.reason = QComboBox()
        self.reason.setObjectName("override_reason")
        self.reason.setAccessibleName("Reason for the override")
        self.reason.addItem("— choose a reason —", None)
        for ref in reasons:
            code = ref["code"] if isinstance(ref, dict) else ref.code
            label = ref["label"] if isinstance(ref, dict) else ref.label
            self.reason.addItem(str(label), str(code))
        self.clinician = QLineEdit(clinician)
        self.clinician.setObjectName("override_clinician")
        self.clinician.setAccessibleName("Clinician responsible for the override")
        self.note = QLineEdit()
        self.note.setObjectName("override_note")
        self.note.setAccessibleName("Note: why, and how the patient will be followed")
        self.note.setPlaceholderText("why, and how the patient will be followed")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for text, widget in (
            ("&Reason", self.reason),
            ("&Clinician", self.clinician),
            ("&Note", self.note),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Proceed under override")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for signal in (
            self.reason.currentIndexChanged,
            self.clinician.textChanged,
            self.note.textChanged,
        ):
            signal.connect(self._update_ok)
        self._update_ok()
        self.resize(self.fontMetrics().averageCharWidth() * 80, self.sizeHint().height())

    def _update_ok(self, *args: Any) -> None:
        del args
        ok = self.value() is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def value(self) -> dict[str, str] | None:
        """The case's `override`, or None while a reason, name or note is missing."""
        code = self.reason.currentData()
        clinician = " ".join(self.clinician.text().split())
        note = self.note.text().strip()
        if not code or not clinician or not note:
            return None
        return {"reason": str(code), "clinician": clinician, "note": note}
