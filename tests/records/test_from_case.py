"""The one reading of a case's patient and of coded acknowledgements that the window and the
command line both save with."""

from __future__ import annotations

from baclofen_cds.logic.acknowledgement import GivenAcknowledgement
from baclofen_cds.records import Acknowledgement, PatientDetails, as_overrides


def test_the_patient_of_a_case() -> None:
    case = {"patient": {"id": " MRN-001 ", "name": "Jane Doe"}, "sex": "female"}
    assert PatientDetails.from_case(case) == PatientDetails("MRN-001", "Jane Doe", None, "female")


def test_no_id_means_no_patient_and_a_given_id_wins() -> None:
    assert PatientDetails.from_case({"patient": {"name": "Jane Doe"}, "sex": "female"}) is None
    assert PatientDetails.from_case({"patient": {"id": "   "}}) is None
    given = PatientDetails.from_case({"patient": {}}, external_id="MRN-9", birth_year=1950)
    assert given == PatientDetails("MRN-9", None, 1950, None)


def test_a_sex_the_records_do_not_keep_is_left_out() -> None:
    assert PatientDetails.from_case({"patient": {"id": "A"}, "sex": "unknown"}) == PatientDetails(
        "A"
    )


def test_coded_acknowledgements_are_stored_as_overrides() -> None:
    acks = [
        GivenAcknowledgement("hazard.cns_depression", "benefit_outweighs_risk"),
        GivenAcknowledgement("renal.band", "does_not_apply", "eGFR measured today"),
    ]
    assert as_overrides(acks) == [
        Acknowledgement("hazard.cns_depression", "overridden", "benefit_outweighs_risk", None),
        Acknowledgement("renal.band", "overridden", "does_not_apply", "eGFR measured today"),
    ]
