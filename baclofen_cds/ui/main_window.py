"""The clinician's window: the case on the left, the recommendation on the right.

The window recomputes on every change (no button): the form gives the case mapping, the
engine validates and recommends, and the panels show what came back. It never computes a
dose itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

# Only what the first paint needs is imported here; `Qt` (~50 ms on first use), actions,
# dialogs and the panels are imported where used, after the first paint.
from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMainWindow, QScrollArea, QSplitter, QTabWidget, QWidget

from baclofen_cds.ui.settings import AppSettings
from baclofen_cds.ui.window_records import RecordsController

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from baclofen_cds.ui.acknowledgements import AcknowledgementBook
    from baclofen_cds.ui.basis_view import BasisView
    from baclofen_cds.ui.case_form import CaseFormWidget
    from baclofen_cds.ui.engine import Assessment, CaseEngine
    from baclofen_cds.ui.history_view import HistoryView
    from baclofen_cds.ui.recommendation_panel import RecommendationPanel


def knowledge_base_status(engine: Any) -> tuple[bool, str]:
    """(approved, the status-bar line): "not clinically approved" unless the loaded
    knowledge base's hash is the one a clinician signed off in the clinic's policy file
    (logic/approval.py decides, as for `knowledge check` and the clinician summary)."""
    kb = engine.kb
    approval = getattr(engine, "approval", None)
    if approval is None:  # an engine without the sign-off (tests' own engines)
        return False, f"Knowledge base {kb.version}: not clinically approved"
    status = approval()
    if status.approved:
        return True, f"{status.text} (knowledge base {kb.version})"
    return False, f"⚠ {status.text}; knowledge base {kb.version}"


_FROZEN: list[bool] = []


def freeze_startup_objects() -> None:
    """Move everything made at start-up (knowledge base, widgets, modules) out of the cyclic
    garbage collector's sweeps, once per process: a full sweep of ~60k objects takes ~30 ms,
    and the allocation of the first keystrokes would otherwise set one off."""
    if _FROZEN:
        return
    _FROZEN.append(True)
    import gc

    gc.freeze()


def first_run(window: Any) -> None:
    """Open Settings once when the clinician, clinic or phone was never entered."""
    settings = window.settings
    if any(settings.get(k) for k in ("clinician/name", "clinic/name", "clinic/phone")):
        return
    window.open_settings(first_run=True)


def _scroll(widget: QWidget, name: str) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setWidget(widget)
    from PySide6.QtCore import Qt

    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return area


class MainWindow(QMainWindow):
    """The clinician's window.

    With `deferred=True` (the application's start) only the frame is made, so that it paints
    at once; `build()` then makes the form and panels, and `attach_engine` fills them once
    the knowledge base is loaded. Without it (tests, demo) everything is built at once.
    """

    assessed = Signal(object)  # the new Assessment, after the panels are updated

    def __init__(
        self,
        settings: AppSettings | None = None,
        *,
        today: date | Callable[[], date] | None = None,
        deferred: bool = False,
    ) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("Baclofen CDS — oral baclofen decision support")
        self.settings = settings if settings is not None else AppSettings()
        # Today is an input: a fixed date (tests, demo) or a clock (the application passes
        # `date.today` at start-up). The window itself never reads the wall clock.
        self._today = today
        self.engine: CaseEngine | None = None
        self.policy: Any = None
        self.built = False
        #: the records: opened on first use (Save, History), after the first paint
        self.records_ctl = RecordsController(self, self)
        self.records_ctl.changed.connect(self._update_actions)
        fm = self.fontMetrics()
        width, height = fm.averageCharWidth() * 200, fm.height() * 56
        screen = QGuiApplication.primaryScreen()
        if screen is not None:  # the screen's free area, less a margin so the frame shows
            free = screen.availableGeometry()
            width, height = free.width() * 95 // 100, free.height() * 92 // 100
        self.resize(width, height)
        if deferred:
            opening = QLabel("Opening Baclofen CDS…")
            opening.setContentsMargins(24, 24, 24, 24)
            self.setCentralWidget(opening)
        else:
            self.build()

    def build(self) -> None:
        """Make the form, the panels, the menus (once)."""
        if self.built:
            return
        self.built = True
        from baclofen_cds.ui.acknowledgements import AcknowledgementBook
        from baclofen_cds.ui.basis_view import BasisView
        from baclofen_cds.ui.case_form import CaseFormWidget
        from baclofen_cds.ui.engine import Assessment
        from baclofen_cds.ui.focus_ring import install_focus_ring
        from baclofen_cds.ui.recommendation_panel import RecommendationPanel

        self.assessment: Assessment = Assessment(None, ())
        self.acks: AcknowledgementBook = AcknowledgementBook()
        self.form: CaseFormWidget = CaseFormWidget(self.today)
        self.panel: RecommendationPanel = RecommendationPanel()
        self.basis: BasisView = BasisView()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("result_tabs")
        self.tabs.addTab(self.panel, "&Recommendation")
        self.tabs.addTab(self.basis, "&Basis")
        # The History tab's view is made when first needed (the tab shown, or the records
        # filling it): it is not in sight at start-up (~2 ms of the ready window).
        self._history: HistoryView | None = None
        from PySide6.QtWidgets import QVBoxLayout

        self._history_slot = QWidget()
        self._history_slot.setObjectName("history_slot")
        QVBoxLayout(self._history_slot).setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self._history_slot, "Histor&y")
        from baclofen_cds.ui.steady_tabs import SteadyTabs

        self.steady_tabs = SteadyTabs.install(self.tabs)  # no relayout when nothing moved
        from PySide6.QtCore import Qt

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(_scroll(self.form, "form_scroll"))
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        install_focus_ring()  # ACC-3: the ring on the focused control (no style sheet)

        self.statusBar().addPermanentWidget(self.records_ctl.banner)
        # the clinical sign-off of the knowledge base, always in sight (never a passing message)
        self.approval_label = QLabel("")
        self.approval_label.setObjectName("knowledge_base_approval")
        self.statusBar().insertPermanentWidget(0, self.approval_label)
        self.statusBar().showMessage("Loading the knowledge base…")

        self._build_actions()
        self._tab_order()
        self.form.changed.connect(self.recompute)
        self.panel.regimen_choice_changed.connect(self.recompute)
        self.panel.override_requested.connect(self.request_override)
        self.panel.override_withdrawn.connect(self.withdraw_override)
        self.override: dict[str, str] | None = None  # the case's `override`, once given
        # "I have checked this value": field -> the value checked. A field is sent in the
        # case's `confirmed` only while it still holds that value (a new value is asked again).
        self.checked_values: dict[str, Any] = {}
        self.panel.alerts.value_checked.connect(self.confirm_values)
        self.panel.basis_requested.connect(self.show_basis)
        self.form.patient_id.editingFinished.connect(self.records_ctl.refresh_history)
        self.tabs.currentChanged.connect(self._tab_shown)
        self._update_actions()

    @property
    def history(self) -> HistoryView:
        """The History tab's view, made the first time it is needed."""
        view = self._history
        if view is None:
            from baclofen_cds.ui.history_view import HistoryView

            view = self._history = HistoryView()
            layout = self._history_slot.layout()
            assert layout is not None
            layout.addWidget(view)
            view.open_requested.connect(self.records_ctl.open_saved)
            view.new_from_requested.connect(self.records_ctl.new_case_from)
        return view

    # ------------------------------------------------------------------ set-up
    def _action(self, text: str, name: str, slot: Any, shortcut: Any = None) -> QAction:
        from PySide6.QtGui import QAction, QKeySequence

        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        from PySide6.QtGui import QKeySequence

        key = QKeySequence.StandardKey
        self.new_action = self._action("&New case", "action_new", self.new_case, key.New)
        self.save_action = self._action(
            "&Save assessment", "action_save", self.records_ctl.save_when_ready, key.Save
        )
        self.print_action = self._action(
            "&Print handout…", "action_print", self.print_handout, key.Print
        )
        self.export_action = self._action(
            "&Export handout PDF…", "action_export", self.export_pdf, "Ctrl+E"
        )
        self.preview_action = self._action(
            "Pre&view handout", "action_preview", self.preview_handout, "Ctrl+Shift+P"
        )
        self.copy_short_action = self._action(
            "&Copy note (short)", "action_copy_short_note", self.copy_short_note, "Ctrl+Alt+C"
        )
        self.copy_note_action = self._action(
            "Copy f&ull clinician note", "action_copy_note", self.copy_note, "Ctrl+Shift+C"
        )
        self.settings_action = self._action(
            "Se&ttings…", "action_settings", self.open_settings, key.Preferences
        )
        self.about_action = self._action("&About Baclofen CDS", "action_about", self.open_about)
        self.quit_action = self._action("&Quit", "action_quit", self.close, key.Quit)
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        if self.quit_action.shortcut().isEmpty():
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        menu = self.menuBar().addMenu("&File")
        menu.setToolTipsVisible(True)
        for action in (self.new_action, self.save_action):
            menu.addAction(action)
        menu.addSeparator()
        for action in (
            self.print_action,
            self.preview_action,
            self.export_action,
            self.copy_short_action,
            self.copy_note_action,
        ):
            menu.addAction(action)
        self._build_handout_menu(menu)
        menu.addSeparator()
        menu.addAction(self.settings_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        from baclofen_cds.ui import fhir_actions  # File → Import from FHIR…, Export FHIR…

        self.fhir = fhir_actions.install(self, menu, before=self.settings_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _build_handout_menu(self, menu: Any) -> None:
        """File → Handout options: large print, paper size, language (also in the print
        dialog's options tab)."""
        from PySide6.QtGui import QAction, QActionGroup

        self.handout_paper = "a4"
        self.handout_language = "en"
        options = menu.addMenu("Handout &options")
        options.setObjectName("menu_handout_options")
        self.handout_menu = options
        options.aboutToShow.connect(self._ensure_languages)
        self.large_print_action = QAction("Lar&ge print (18 pt)", self)
        self.large_print_action.setObjectName("action_large_print")
        self.large_print_action.setCheckable(True)
        options.addAction(self.large_print_action)
        options.addSeparator()
        self.paper_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for code, text in (("a4", "&A4 paper"), ("letter", "&Letter paper")):
            action = QAction(text, self)
            action.setObjectName(f"action_paper_{code}")
            action.setCheckable(True)
            action.setChecked(code == self.handout_paper)
            action.triggered.connect(lambda _=False, c=code: self.set_handout_paper(c))
            group.addAction(action)
            options.addAction(action)
            self.paper_actions[code] = action
        options.addSeparator()
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}

    def set_handout_paper(self, code: str) -> None:
        self.handout_paper = code
        self.paper_actions[code].setChecked(True)

    def set_handout_language(self, code: str) -> None:
        self.handout_language = code
        if code in self.language_actions:
            self.language_actions[code].setChecked(True)

    def _fill_languages(self) -> None:
        """The handout's languages (known once the logic package is loaded)."""
        from PySide6.QtGui import QAction

        from baclofen_cds.ui.handout_bridge import handout_languages, language_name

        enabled = getattr(self.policy, "languages_enabled", None)
        codes = [c for c in handout_languages() if not enabled or c in enabled] or ["en"]
        for action in self.language_actions.values():
            self.handout_menu.removeAction(action)
            self.language_group.removeAction(action)
        self.language_actions = {}
        used: set[str] = {"g", "a", "l"}
        for code in codes:
            name = language_name(code)
            pos = next((i for i, ch in enumerate(name) if ch.lower() not in used), None)
            if pos is not None:
                used.add(name[pos].lower())
                name = name[:pos] + "&" + name[pos:]
            action = QAction(f"Handout in {name}" if pos is None else name, self)
            action.setObjectName(f"action_language_{code}")
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, c=code: self.set_handout_language(c))
            self.language_group.addAction(action)
            self.handout_menu.addAction(action)
            self.language_actions[code] = action
        if self.handout_language not in self.language_actions:
            self.handout_language = codes[0]
        self.language_actions[self.handout_language].setChecked(True)
        country = getattr(self.policy, "country", None)
        if country == "US":
            self.set_handout_paper("letter")

    def _handout_options_tab(self) -> QWidget:
        """The print dialog's "Handout" tab: the same three choices as the menu."""
        from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout

        from baclofen_cds.ui.handout_bridge import language_name

        self._ensure_languages()
        tab = QWidget()
        tab.setWindowTitle("Handout")
        form = QFormLayout(tab)
        large = QCheckBox("Lar&ge print (18 pt)")
        large.setChecked(self.large_print_action.isChecked())
        large.toggled.connect(self.large_print_action.setChecked)
        paper = QComboBox()
        paper.setAccessibleName("Handout paper size")
        for code, text in (("a4", "A4"), ("letter", "Letter")):
            paper.addItem(text, code)
        paper.setCurrentIndex(max(0, paper.findData(self.handout_paper)))
        paper.currentIndexChanged.connect(lambda _: self.set_handout_paper(paper.currentData()))
        language = QComboBox()
        language.setAccessibleName("Handout language")
        for code in list(self.language_actions) or ["en"]:
            language.addItem(language_name(code), code)
        language.setCurrentIndex(max(0, language.findData(self.handout_language)))
        language.currentIndexChanged.connect(
            lambda _: self.set_handout_language(language.currentData())
        )
        form.addRow(large)
        form.addRow("Paper", paper)
        form.addRow("Language", language)
        return tab

    def _tab_order(self) -> None:
        f, p = self.form, self.panel
        chain: list[QWidget] = [
            f.patient_id,
            f.patient_name,
            f.indication,
            f.spasticity_origin,
            f.age_years,
            f.sex,
            f.weight_kg,
            f.height_cm,
            f.serum_creatinine,
            f.serum_creatinine_unit,
            f.creatinine_clearance,
            f.egfr,
            f.dialysis,
            f.hepatic_impairment,
            f.conditions.filter,
            f.conditions.tree,
            f.conditions.none_box,
            f.comedications.input,
            f.comedications.add_button,
            f.comedications.list,
            f.comedications.remove_button,
            f.comedications.suggest_button,
            f.comedications.none_box,
            f.formulation,
            f.start_date,
            f.current_daily_mg,
            f.months_on_treatment,
            f.intrathecal,
            self.tabs,
            p.basis_buttons["renal"],
            p.basis_buttons["regimen.start"],
            p.basis_buttons["regimen.max_daily_mg"],
            p.regimen_target,
            p.regimen_interval,
            p.regimen_reset,
            p.titration_table,
            p.monitoring_table,
            p.taper_table,
        ]
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)

    # ------------------------------------------------------------------ engine
    def attach_engine(self, engine: CaseEngine) -> None:
        """Fill the choices from the knowledge base and show the first assessment."""
        self.build()
        self.engine = engine
        self.form.set_knowledge_base(engine.kb)
        self._apply_settings()
        self._languages_filled = False  # the handout's languages: after the first result
        self._show_approval()
        self.recompute()
        # once the first result is up: what the result does not need waits for the next turn
        # of the event loop (the window is ready first)
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self._after_first_result)

    def _after_first_result(self) -> None:
        """Deferred start-up work: the handout languages (they load the handout texts), Qt's
        first-time work for alert cards and type sizes (so that the first keystroke that
        brings one is as quick as the others), and the start-up objects frozen out of the
        garbage collector's full sweeps (one of those in the first second after start-up
        cost a keystroke 30 ms)."""
        self._ensure_languages()
        self.panel.warm_up()
        freeze_startup_objects()
        # and the layout and repaint that work left pending, now: not in the first keystroke
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        if self.isVisible():
            self.repaint()

    def _ensure_languages(self) -> None:
        if not getattr(self, "_languages_filled", True):
            self._languages_filled = True
            self._fill_languages()

    def _show_approval(self) -> None:
        assert self.engine is not None
        approved, text = knowledge_base_status(self.engine)
        self.approval_label.setText(text)
        self.approval_label.setAccessibleName(text)
        self.approval_label.setProperty("approved", approved)
        if approved:
            self.approval_label.setStyleSheet("")
        else:
            from baclofen_cds.ui import style

            tone = style.SEVERITY["warning"]
            self.approval_label.setStyleSheet(
                f"color: {tone.foreground}; background: {tone.background}; padding: 0 4px;"
            )
        self.statusBar().clearMessage()

    def show_engine_error(self, message: str) -> None:
        """Fail closed: a broken knowledge base means no recommendation at all."""
        self.build()
        self.engine = None
        self.statusBar().showMessage("Knowledge base failed to load")
        self.panel.status_banner.setText(f"The knowledge base failed to load: {message}")
        self._update_actions()

    def _apply_settings(self, *, form_defaults: bool = True) -> None:
        """The clinic's policy; the form's default unit and formulation only for a new case."""
        assert self.engine is not None
        from baclofen_cds.logic import CaseInputError

        try:
            self.policy = self.engine.policy(self.settings.policy_overrides())
        except CaseInputError as exc:  # a clinic value the knowledge base does not accept
            self.policy = self.engine.policy({})
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(
                self,
                "Settings not applied",
                f"The clinic settings were not applied ({exc.field}: {exc.message});"
                " the knowledge base's defaults are used.",
            )
        if not form_defaults:
            return
        self.form.set_defaults(
            creatinine_unit=self.settings.get("defaults/creatinine_unit"),
            formulation=self.settings.get("defaults/formulation")
            or getattr(self.policy, "default_formulation", None),
        )

    def today(self) -> date:
        if self._today is None:
            raise RuntimeError("MainWindow has no clock: pass today= (a date or a clock)")
        return self._today() if callable(self._today) else self._today

    def recompute(self) -> Assessment:
        """Form -> engine -> panels. Runs on every change; the engine is pure and fast."""
        if self.engine is None:
            return self.assessment
        data, local_errors = self.form.form_data()
        data = self.fhir.decorate(data)  # values imported from a FHIR record: where from, when
        choice = self.panel.regimen_choice()
        if choice:
            data["regimen_choice"] = choice
        if self.override is not None:
            data["override"] = self.override
        confirmed = [f for f, v in self.checked_values.items() if data.get(f) == v]
        if confirmed:
            data["confirmed"] = confirmed
        assessment = self.engine.assess(data, policy=self.policy, today=self.today())
        rec = assessment.recommendation
        if (
            self.override is not None
            and rec is not None
            and getattr(rec, "regimen_withheld", None) is None
        ):
            # nothing is withheld any more: the override lapses, and is not sent again
            self.override = None
            data.pop("override", None)
            assessment = self.engine.assess(data, policy=self.policy, today=self.today())
        if local_errors:
            merged = tuple(local_errors) + tuple(
                e
                for e in assessment.errors
                if e.field.split(".")[0] not in {x.field.split(".")[0] for x in local_errors}
            )
            from baclofen_cds.ui.engine import Assessment

            assessment = Assessment(None, merged, assessment.elapsed_ms)
        self.assessment = assessment
        rec = assessment.recommendation
        acks = self.acks.current(rec.alerts) if rec is not None else {}
        shown = assessment.errors
        if not any(data.get(k) not in (None, "") for k in ("indication", "age_years", "sex")):
            # a blank form: the banner says what is missing; no red text under every field yet
            shown = tuple(e for e in shown if e.message != "is required")
        self.form.show_errors(shown)
        self.form.comedications.set_matches(rec.comedications if rec is not None else None)
        self.panel.show_assessment(assessment, acks, unconfirmed=self.form.unconfirmed())
        self.basis.set_recommendation(rec)
        self._update_actions()
        self.assessed.emit(assessment)
        return assessment

    def _update_actions(self) -> None:
        rec = self.assessment.recommendation
        has_regimen = rec is not None and self.panel.shown_regimen is not None
        for action in (self.print_action, self.export_action, self.preview_action):
            action.setEnabled(has_regimen)
            if not has_regimen:
                action.setToolTip("Complete the case first: there is no regimen to hand out.")
            elif self.acks.pending(rec):
                action.setToolTip("Critical alerts must be acknowledged first (you will be asked).")
            else:
                action.setToolTip("")
        if getattr(self, "_printing_busy", False):
            self.print_action.setEnabled(False)  # one print job at a time
        self.copy_note_action.setEnabled(rec is not None)
        self.copy_short_action.setEnabled(rec is not None)
        self.save_action.setEnabled(not self.records_ctl.failed and rec is not None)
        if hasattr(self, "fhir"):
            self.fhir.export_action.setEnabled(rec is not None)

    # ------------------------------------------------------------------ records
    # The records live in `records_ctl` (window_records.RecordsController); these are the
    # window's actions on them.
    @property
    def records(self) -> Any:
        """The open `RecordStore`, or None (not opened yet, or unavailable)."""
        return self.records_ctl.store

    @property
    def records_url(self) -> str | None:
        return self.records_ctl.url

    @records_url.setter
    def records_url(self, url: str | None) -> None:
        self.records_ctl.url = url

    @property
    def records_bridge(self) -> Any:
        return self.records_ctl.bridge

    @property
    def records_banner(self) -> QLabel:
        return self.records_ctl.banner

    @property
    def saved_id(self) -> int | None:
        return self.records_ctl.saved_id

    @property
    def prints(self) -> list[tuple[str, bytes, dict[str, Any]]]:
        """The handouts printed from the current result and not yet saved with it."""
        return self.records_ctl.prints

    def open_records(self, database_url: str | None) -> None:
        self.records_ctl.open(database_url)

    def save_assessment(self) -> int | None:
        return self.records_ctl.save()

    def refresh_history(self) -> None:
        self.records_ctl.refresh_history()

    def open_saved(self, assessment_id: int) -> Any:
        return self.records_ctl.open_saved(assessment_id)

    def new_case_from(self, assessment_id: int, *, correct: bool = False) -> None:
        self.records_ctl.new_case_from(assessment_id, correct=correct)

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self._history_slot:
            self.history  # noqa: B018 - made now, in sight
            self.records_ctl.ensure()

    def request_override(self) -> bool:
        """Ask for the coded reason, the clinician and a note; then recompute with them."""
        rec = self.assessment.recommendation
        withheld = getattr(rec, "regimen_withheld", None) if rec is not None else None
        if withheld is None or not withheld.override_allowed:
            return False
        from baclofen_cds.ui.dialogs import OverrideDialog

        dialog = OverrideDialog(
            withheld,
            clinician=self.settings.get("clinician/name"),
            reasons=withheld.override_reasons,
            parent=self,
        )
        if dialog.exec() != OverrideDialog.DialogCode.Accepted or dialog.value() is None:
            return False
        self.override = dialog.value()
        self.recompute()
        return True

    def withdraw_override(self) -> None:
        self.override = None
        self.recompute()

    def confirm_values(self, fields: tuple[str, ...]) -> None:
        """The clinician checked the value(s) a "check this value" alert names."""
        data, _ = self.form.form_data()
        for name in fields:
            if data.get(name) is not None:
                self.checked_values[name] = data[name]
        self.recompute()

    def new_case(self) -> None:
        self.override = None
        self.checked_values = {}
        self.acks.clear()
        self.records_ctl.reset()
        self.panel.reset_choice()
        self.form.clear(
            creatinine_unit=self.settings.get("defaults/creatinine_unit"),
            formulation=self.settings.get("defaults/formulation")
            or getattr(self.policy, "default_formulation", None),
        )
        self.form.indication.setFocus()

    def ensure_acknowledged(self) -> bool:
        """Ask for every pending critical acknowledgement; True when none is left."""
        rec = self.assessment.recommendation
        pending = self.acks.pending(rec)
        if pending:
            from baclofen_cds.ui.dialogs import AcknowledgeDialog

            dialog = AcknowledgeDialog(
                pending, clinician=self.settings.get("clinician/name"), parent=self
            )
            if dialog.exec() != AcknowledgeDialog.DialogCode.Accepted:
                return False
            for ack in dialog.acknowledgements():
                self.acks.add(ack)
            if rec is not None:
                self.panel.alerts.set_acknowledgements(self.acks.current(rec.alerts))
            self._update_actions()
        return not self.acks.pending(rec)

    def handout_options(self) -> dict[str, Any]:
        """The options the handout is made with (recorded with every print)."""
        self._ensure_languages()
        return {
            "printed_on": self.today().isoformat(),
            "prescriber": self.settings.get("clinician/name") or None,
            "large_print": self.large_print_action.isChecked(),
            "paper": self.handout_paper,
            "language": self.handout_language,
        }

    def _prepare_handout(self) -> tuple[Any, dict[str, Any]] | None:
        """(a function making the PDF, its options) after the acknowledgements; or None."""
        rec = self.assessment.recommendation
        if rec is None or self.panel.shown_regimen is None:
            return None
        if not self.ensure_acknowledged():
            return None
        options = self.handout_options()
        return self._handout_builder(options), options

    def _handout_builder(self, options: dict[str, Any]) -> Callable[[], bytes]:
        """Makes the handout of the current result with `options` (the print service,
        through handout_bridge); run on the GUI thread or the print worker."""
        from baclofen_cds.ui.handout_bridge import build_pdf

        rec, kb = self.assessment.recommendation, self.engine.kb if self.engine else None

        def build() -> bytes:
            return build_pdf(rec, kb=kb, **options)

        return build

    def handout_pdf(self) -> bytes | None:
        """The handout for the current case, after the acknowledgements; None if refused."""
        prepared = self._prepare_handout()
        if prepared is None:
            return None
        build, options = prepared
        try:
            pdf = build()
        except ValueError as exc:  # HandoutError: no clinic phone, no country, language off
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "No handout", f"{exc}. Set it in Settings.")
            return None
        self._last_print_options = options
        return bytes(pdf)

    def print_handout(self, printer: Any = None) -> bool:
        """Ask for the printer, then make and spool the handout in the background (as the PDF
        itself: vector pages with their text). True when the job was started."""
        prepared = self._prepare_handout()
        if prepared is None:
            return False
        build, options = prepared
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from baclofen_cds.ui.printing import job_for_printer

        if not isinstance(printer, QPrinter):
            from PySide6.QtGui import QPageSize

            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            size = QPageSize.PageSizeId.Letter if options["paper"] == "letter" else None
            printer.setPageSize(QPageSize(size or QPageSize.PageSizeId.A4))
            printer.setDocName("Baclofen handout")
            dialog = QPrintDialog(printer, self)
            dialog.setOptionTabs([self._handout_options_tab()])
            if dialog.exec() != QPrintDialog.DialogCode.Accepted:
                return False
            options = self.handout_options()  # as chosen in the dialog's options tab
            build = self._handout_builder(options)

        self._start_print(job_for_printer(printer, build, paper=options["paper"]), options)
        return True

    def _start_print(self, job: Any, options: dict[str, Any]) -> None:
        from PySide6.QtWidgets import QProgressDialog

        from baclofen_cds.ui.printing import BackgroundPrinter

        previous = getattr(self, "printing", None)
        if previous is not None:
            previous.wait()
        printing = self.printing = BackgroundPrinter(self)
        progress = QProgressDialog("Making the handout…", "&Cancel", 0, 0, self)
        progress.setObjectName("print_progress")
        progress.setWindowTitle("Printing the handout")
        progress.setMinimumDuration(300)  # a quick job never flashes a dialog
        progress.canceled.connect(printing.cancel)
        self.print_progress = progress
        self._printing_busy = True
        self.print_action.setEnabled(False)

        def done(message: str) -> None:
            self._printing_busy = False
            progress.reset()
            progress.hide()
            self._update_actions()
            self.statusBar().showMessage(message, 8000)

        def finished(pdf: bytes) -> None:
            self.records_ctl.record_print(pdf, options)
            done("Handout sent to the printer.")

        def failed(message: str) -> None:
            done(f"The handout was not printed: {message}")
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Not printed",
                f"The handout was not printed: {message}",
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setObjectName("print_failed")
            box.open()  # not modal: the job ended in the background, the window goes on

        printing.progress.connect(progress.setLabelText)
        printing.finished.connect(finished)
        printing.failed.connect(failed)
        printing.cancelled.connect(lambda: done("Printing cancelled."))
        printing.start(job)

    def export_pdf(self, path: Any = None) -> str | None:
        pdf = self.handout_pdf()
        if pdf is None:
            return None
        if not isinstance(path, str) or not path:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getSaveFileName(
                self, "Export handout PDF", "baclofen-handout.pdf", "PDF (*.pdf)"
            )
            if not path:
                return None
        from baclofen_cds.handout.output import OutputError
        from baclofen_cds.ui.handout_bridge import write_pdf

        try:
            write_pdf(path, pdf, self._last_print_options)
        except OutputError as exc:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "Handout not saved", f"The handout was not saved. {exc}")
            return None
        self.records_ctl.record_print(pdf, self._last_print_options)
        self.statusBar().showMessage(f"Handout saved to {path}", 5000)
        return str(path)

    def preview_handout(self) -> Any:
        pdf = self.handout_pdf()
        if pdf is None:
            return None
        from baclofen_cds.ui.preview import HandoutPreviewDialog

        dialog = HandoutPreviewDialog(pdf, parent=self)
        dialog.print_requested.connect(self.print_handout)
        dialog.show()
        return dialog

    def copy_note(self) -> str:
        """The engine's plain-text clinician summary, with the acknowledgements, for the EHR."""
        rec = self.assessment.recommendation
        if rec is None:
            return ""
        from baclofen_cds.logic.summary import clinician_note

        text = clinician_note(rec)
        acks = self.acks.for_output(rec)
        if acks:
            lines = ["", "Critical alerts acknowledged:"]
            said = {a.id: a.summary for a in rec.alerts}  # the alert in words, never its id
            for ack in acks:
                comment = f" — {ack.comment}" if ack.comment else ""
                what = said.get(ack.alert_id, "Critical alert").rstrip(".")
                lines.append(f"  {what} — {ack.reason_text}{comment}")
            text = text.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
        clinician = self.settings.get("clinician/name")
        if clinician:
            text += f"Clinician: {clinician}\n"
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage("Clinician note copied to the clipboard.", 5000)
        return text

    def copy_short_note(self) -> str:
        """At most 15 lines for the chart: status, dose, schedule, maximum, critical alerts
        with their acknowledgement, monitoring."""
        rec = self.assessment.recommendation
        if rec is None:
            return ""
        from baclofen_cds.ui.note import short_note

        text = short_note(
            rec,
            self.acks.current(rec.alerts),
            regimen=self.panel.shown_regimen,
            clinician=self.settings.get("clinician/name"),
            unconfirmed=self.form.unconfirmed(),
        )
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage("Short note copied to the clipboard.", 5000)
        return text

    def open_settings(self, first_run: bool = False) -> None:
        from baclofen_cds.ui.dialogs import SettingsDialog

        kb = self.engine.kb if self.engine is not None else None
        dialog = SettingsDialog(self.settings, getattr(kb, "formulations", None), self)
        if first_run:
            dialog.setWindowTitle("Welcome: your name, clinic and phone")
            dialog.intro.setText(
                "Printed on every handout and saved with every assessment."
                " They can be changed later in File → Settings."
            )
            dialog.intro.show()
        if dialog.exec() == SettingsDialog.DialogCode.Accepted and self.engine is not None:
            self._apply_settings(form_defaults=False)  # the case on screen keeps its units
            self.recompute()

    def open_about(self) -> None:
        from baclofen_cds.ui.dialogs import AboutDialog

        AboutDialog(self.engine.kb if self.engine is not None else None, self).exec()

    def closeEvent(self, event: Any) -> None:
        printing = getattr(self, "printing", None)
        if printing is not None:
            printing.wait()
        self.records_ctl.close()
        super().closeEvent(event)

    def show_basis(self, output: str) -> None:
        self.tabs.setCurrentWidget(self.basis)
        self.basis.show_output(output)
        self.basis.table.setFocus()
