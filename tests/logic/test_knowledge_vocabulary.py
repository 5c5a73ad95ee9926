"""The knowledge base owns its vocabularies: "knowledge check OK" means "recommend works".

An edited copy of the knowledge folder with a new indication is refused at load (and by
`baclofen-cds knowledge check`) with one message naming the file and what is missing, until
the indication has everything the engine and the handout look up; then it loads, and a case
with that indication gets a recommendation.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from baclofen_cds.logic import (
    KnowledgeBaseError,
    load_knowledge_base,
    load_policy,
    parse_case,
    recommend,
)
from baclofen_cds.logic.engine import REQUIRED_ALERTS
from baclofen_cds.logic.knowledge import ENGINE_ALERTS
from tests.logic.conftest import HEALTHY_ADULT, TODAY
from tests.logic.test_knowledge import edit, kb_copy  # noqa: F401 - fixture

NEW = "nocturnal_leg_cramps"

KB_ENTRY = (
    "  musculoskeletal_pain:\n",
    f'  {NEW}:\n    label: "Nocturnal leg cramps"\n'
    '    patient_label: "leg cramps at night"\n  musculoskeletal_pain:\n',
)
DOSE_RULE = (
    "  - id: dose.adult.hiccups\n",
    f"""  - id: dose.adult.{NEW}
    kind: indication
    label: "Nocturnal leg cramps (test indication)"
    applies: {{indications: [{NEW}], populations: [adult, older_adult]}}
    ladder:
      - [5, 3]
      - [10, 3]
    step_interval_days: 3
    target_daily_mg: 15
    max_daily_mg: 30
    status: use_with_caution
    alert: indication.hiccups
    sources: [S33, S29, S32]
    reviewed: 2026-11-22
    rationale: "A test indication: the smallest complete dose rule."

  - id: dose.adult.hiccups
""",
)
TEXT_EN = (
    "    hiccups:\n      - It helps to stop hiccups that do not go away.\n",
    "    hiccups:\n      - It helps to stop hiccups that do not go away.\n"
    f"    {NEW}:\n      - It helps with leg cramps at night.\n",
)
TEXT_ES = (
    "    hiccups:\n      - Ayuda a parar el hipo que no se quita.\n",
    "    hiccups:\n      - Ayuda a parar el hipo que no se quita.\n"
    f"    {NEW}:\n      - Ayuda con los calambres de las piernas por la noche.\n",
)


def _add(folder: Path, *edits: tuple[str, str, str]) -> None:
    for file, old, new in edits:
        edit(folder, file, old, new)


def _check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "baclofen_cds", "knowledge", "check", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _refused(folder: Path, message: str) -> None:
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base(folder)
    assert str(err.value) == message
    out = _check(folder)
    assert out.returncode == 1 and message in out.stderr and "Traceback" not in out.stderr


def test_a_new_indication_without_a_dose_rule_is_refused(kb_copy: Path) -> None:  # noqa: F811
    _add(kb_copy, ("kb.yaml", *KB_ENTRY), ("handout_text.yaml", *TEXT_EN))
    _add(kb_copy, ("handout_text.es.yaml", *TEXT_ES))
    _refused(
        kb_copy,
        f"dosing.yaml: indication {NEW!r} (kb.yaml) has no dose rule for adults (a rule of "
        "kind indication whose applies lists it and the adult population)",
    )


def test_a_new_indication_without_its_handout_text_is_refused(kb_copy: Path) -> None:  # noqa: F811
    _add(kb_copy, ("kb.yaml", *KB_ENTRY), ("dosing.yaml", *DOSE_RULE))
    _refused(
        kb_copy, f"handout_text.yaml: purpose.by_indication has no text for indication {NEW!r}"
    )
    _add(kb_copy, ("handout_text.yaml", *TEXT_EN))  # English only: Spanish still lacks it
    _refused(
        kb_copy, f"handout_text.es.yaml: purpose.by_indication has no text for indication {NEW!r}"
    )


def test_a_new_formulation_without_its_handout_words_is_refused(kb_copy: Path) -> None:  # noqa: F811
    edit(
        kb_copy,
        "formulations.yaml",
        "  - code: oral_granules\n",
        "  - code: tablet_25\n    kind: tablet\n    label: Baclofen 25 mg tablet\n"
        "    patient_label: tablet\n    strengths_mg: [25]\n    dose_step_mg: 25\n"
        "    storage: Store below 25 °C.\n    sources: [S1]\n  - code: oral_granules\n",
    )
    _refused(kb_copy, "handout_text.yaml: forms has no text for formulation 'tablet_25'")


def test_a_complete_new_indication_loads_and_recommend_works(kb_copy: Path) -> None:  # noqa: F811
    _add(kb_copy, ("kb.yaml", *KB_ENTRY), ("dosing.yaml", *DOSE_RULE))
    _add(kb_copy, ("handout_text.yaml", *TEXT_EN), ("handout_text.es.yaml", *TEXT_ES))
    out = _check(kb_copy)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("knowledge base OK")
    kb = load_knowledge_base(kb_copy)
    case = {**HEALTHY_ADULT, "indication": NEW}
    case.pop("spasticity_origin")
    rec = recommend(parse_case(case, kb, today=TODAY), kb, load_policy(kb))
    assert rec.regimen is not None
    assert rec.regimen.start.daily_mg == 15  # the new rule's first level, 5 mg three times
    assert rec.regimen.max_daily_mg == 30  # and its maximum
    assert "indication.hiccups" in {a.id for a in rec.alerts}  # the rule's alert is raised


def test_a_monitoring_item_naming_an_unknown_indication_is_refused(kb_copy: Path) -> None:  # noqa: F811
    text = (kb_copy / "monitoring.yaml").read_text(encoding="utf-8")
    assert "indications: [alcohol_withdrawal]" in text
    edit(
        kb_copy,
        "monitoring.yaml",
        "indications: [alcohol_withdrawal]",
        "indications: [alcohol_withdrawl]",
    )
    with pytest.raises(KnowledgeBaseError, match=r"^monitoring\.yaml: .*unknown indication"):
        load_knowledge_base(kb_copy)


def test_an_alert_the_engine_raises_must_exist(kb_copy: Path) -> None:  # noqa: F811
    edit(kb_copy, "alerts.yaml", "  - id: dose.choice_capped\n", "  - id: dose.choice_capped_x\n")
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base(kb_copy)
    assert (
        str(err.value)
        == "alerts.yaml: alert 'dose.choice_capped' is missing (the engine raises it)"
    )


def test_bad_acknowledgement_reasons_stop_the_load(kb_copy: Path) -> None:  # noqa: F811
    edit(kb_copy, "acknowledgement_reasons.yaml", "code: ", "code: Bad-")
    with pytest.raises(
        KnowledgeBaseError, match=r"^acknowledgement_reasons\.yaml: reasons\.0\.code"
    ):
        load_knowledge_base(kb_copy)


def _literal_alert_ids() -> set[str]:
    """Every alert id the logic code names in `from_template(kb, "...")`."""
    found: set[str] = set()
    logic = Path(__file__).resolve().parents[2] / "baclofen_cds" / "logic"
    for path in logic.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "from_template"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                found.add(str(node.args[1].value))
    return found


def test_the_engines_alert_list_is_the_code_s() -> None:
    """ENGINE_ALERTS (checked at load) lists every alert id the code raises by name."""
    literal = _literal_alert_ids()
    assert len(literal) >= 8
    assert literal <= set(ENGINE_ALERTS), literal - set(ENGINE_ALERTS)
    assert REQUIRED_ALERTS == ENGINE_ALERTS
