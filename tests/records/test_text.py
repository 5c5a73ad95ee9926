"""Names and free text with quotes, SQL fragments and Unicode are stored and returned exactly."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baclofen_cds.records import Acknowledgement, PatientDetails
from baclofen_cds.records.store import RecordStore
from tests.records.records_support import make_recommendation

AWKWARD = [
    "O'Brien",
    'Jane "JD" Doe',
    "Robert'); DROP TABLE assessment;--",
    "1' OR '1'='1",
    "%_\\ LIKE wildcards",
    "Zoë Ñúñez-Çelik",
    "李小龍",
    "محمد عبد الله",  # right-to-left
    "e\u0301 (e + combining accent, not precomposed)",
    "🙂 emoji 👩🏽‍⚕️",
    "line one\nline two\ttabbed",
    "  leading and trailing spaces  ",
]
_ids = itertools.count()


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_text_round_trips_exactly(store: RecordStore, text: str) -> None:
    mrn = f"MRN-{next(_ids)}"
    rec = make_recommendation(mrn, text, comedications=(text,))
    aid = store.save_assessment(
        rec,
        patient=PatientDetails(mrn, display_name=text),
        clinician=text,
        acknowledgements=[
            Acknowledgement("interaction.opioids", "overridden", "other", comment=text)
        ],
        prints=[("patient", text.encode("utf-8"))],
    )
    got = store.get_assessment(aid)
    assert got.patient.display_name == text
    assert got.clinician == text
    assert got.acknowledgements[0].comment == text
    assert got.case["patient"]["name"] == text
    assert got.case["comedications"] == [text]
    assert got.result_json == rec.to_json()
    assert store.history(mrn)[0].patient_display_name == text
    assert store.history(mrn)[0].clinician == text
    # The database still has all its tables (the SQL fragment was data, not code).
    assert store.count_history(mrn) == 1


# Any Unicode text a person could type: no surrogates (not text) and no NUL (refused).
free_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=200,
).filter(lambda s: s.strip() != "")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=free_text, comment=free_text)
def test_any_text_round_trips_exactly(store: RecordStore, name: str, comment: str) -> None:
    mrn = f"MRN-H{next(_ids)}"
    aid = store.save_assessment(
        make_recommendation(mrn, name),
        patient=PatientDetails(mrn, display_name=name),
        clinician=name,
        acknowledgements=[Acknowledgement("condition.epilepsy", "accepted", comment=comment)],
    )
    got = store.get_assessment(aid)
    assert got.patient.display_name == name
    assert got.clinician == name
    assert got.acknowledgements[0].comment == comment
    assert got.case["patient"]["name"] == name
