"""The File → Import from FHIR… dialog: a FHIR file, or a server address and a patient id.

Made only when the clinician opens it (its widget classes are not needed at start-up).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)


class FhirImportDialog(QDialog):
    """Choose a FHIR file, or a server address and a patient id."""

    def __init__(self, parent: QWidget | None = None, *, server: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Import from FHIR")
        self.setObjectName("fhir_import_dialog")
        self.from_file = QRadioButton("From a &file (FHIR R4 JSON: a Bundle or a resource)")
        self.from_server = QRadioButton("From a &server (FHIR R4)")
        group = QButtonGroup(self)
        group.addButton(self.from_file)
        group.addButton(self.from_server)
        self.from_file.setChecked(True)
        self.path = QLineEdit()
        self.path.setObjectName("fhir_path")
        self.path.setAccessibleName("FHIR file")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.server = QLineEdit(server)
        self.server.setObjectName("fhir_server")
        self.server.setPlaceholderText("https://…/fhir")
        self.server.setAccessibleName("FHIR server address")
        self.patient = QLineEdit()
        self.patient.setObjectName("fhir_patient")
        self.patient.setAccessibleName("Patient id on the server")
        form = QFormLayout()
        form.addRow("Server &address", self.server)
        form.addRow("&Patient id", self.patient)
        note = QLabel(
            "A server token is read from BACLOFEN_CDS_FHIR_TOKEN or the system keyring. "
            "Imported values fill empty fields; you are asked before any typed value changes."
        )
        note.setWordWrap(True)
        self.path.textEdited.connect(lambda _t: self.from_file.setChecked(True))
        self.server.textEdited.connect(lambda _t: self.from_server.setChecked(True))
        self.patient.textEdited.connect(lambda _t: self.from_server.setChecked(True))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.from_file)
        layout.addLayout(row)
        layout.addWidget(self.from_server)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "FHIR file", "", "FHIR JSON (*.json)")
        if path:
            self.path.setText(path)
            self.from_file.setChecked(True)

    def choice(self) -> tuple[str, ...]:
        if self.from_file.isChecked():
            return ("file", self.path.text().strip())
        return ("server", self.server.text().strip(), self.patient.text().strip())
