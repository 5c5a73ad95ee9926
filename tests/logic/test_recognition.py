"""Recognition measured: medicines typed the way clinicians type them (issue 9).

Each string must reach the interaction class it belongs to. A misspelling counts as recognised
only when the entry is reported as NOT checked and the "did you mean" suggestion is a name of
that class: a suggestion is never a silent match. The test prints the recognition rate; it
fails below 98 %, and on any false alarm among medicines with no interaction listed.
"""

from __future__ import annotations

import pytest

from baclofen_cds.logic import KnowledgeBase
from baclofen_cds.logic.interactions import match_one
from baclofen_cds.logic.knowledge import normalise_name
from tests.logic.conftest import Run

OPIOID = "interaction.opioids"
BENZO = "interaction.benzodiazepines"
GABA = "interaction.gabapentinoids"
HYPNO = "interaction.hypnotics"
OREXIN = "interaction.orexin_antagonists"
RELAX = "interaction.muscle_relaxants"
ANTIHIST = "interaction.sedating_antihistamines"
PSYCH = "interaction.antipsychotics"
TCA = "interaction.tricyclics"
SEDAD = "interaction.sedating_antidepressants"
AED = "interaction.antiepileptics"
CBZ = "interaction.carbamazepine"
CANNAB = "interaction.cannabinoids"
MAOI = "interaction.maois"
SSRI = "interaction.ssri_snri"
BP = "interaction.antihypertensives"
LDOPA = "interaction.levodopa"
LITH = "interaction.lithium"
NEPHRO = "interaction.nephrotoxins"
DIAB = "interaction.antidiabetics"
ALCOHOL = "interaction.alcohol"
ANAES = "interaction.anaesthetics"
HERBAL = "interaction.herbal_sedatives"

TYPED: list[tuple[str, str]] = [
    # opioids: brand, salt, strength, frequency, route, release, combination, "#3"
    ("oxycodone 5mg po q4-6h prn", OPIOID),
    ("OxyContin 20 mg ER q12h", OPIOID),
    ("oxycodone hydrochloride MR 10mg BD", OPIOID),
    ("OxyNorm 5mg/5ml liquid", OPIOID),
    ("Percocet 5/325", OPIOID),
    ("oxycodone/acetaminophen 5/325 mg 1-2 tabs q6h prn", OPIOID),
    ("Endocet", OPIOID),
    ("Norco 10/325", OPIOID),
    ("Vicodin ES", OPIOID),
    ("hydrocodone/APAP 5/325", OPIOID),
    ("hydrocodone bitartrate ER", OPIOID),
    ("Tylenol #3", OPIOID),
    ("Tylenol 3 1 tab q4h prn", OPIOID),
    ("Tylenol No. 4", OPIOID),
    ("Tylenol with Codeine", OPIOID),
    ("co-codamol 30/500", OPIOID),
    ("cocodamol 8/500 two tablets qds", OPIOID),
    ("Co-Codamol 15/500mg", OPIOID),
    ("Solpadeine Max", OPIOID),
    ("co-dydramol 10/500", OPIOID),
    ("codeine phosphate 30mg QDS", OPIOID),
    ("dihydrocodeine 30mg", OPIOID),
    ("DF118 Forte", OPIOID),
    ("morphine sulfate ER 15 mg bid", OPIOID),
    ("MS Contin 30mg", OPIOID),
    ("Oramorph 10mg/5ml 2.5-5 ml prn", OPIOID),
    ("Zomorph 10 mg", OPIOID),
    ("tramadol 50mg qds prn", OPIOID),
    ("Tramadol HCl ER 100 mg", OPIOID),
    ("Ultracet", OPIOID),
    ("Tramacet 37.5/325", OPIOID),
    ("fentanyl 25mcg/hr patch", OPIOID),
    ("Duragesic 50 mcg/h", OPIOID),
    ("buprenorphine 5 mcg/hr patch weekly", OPIOID),
    ("Suboxone 8/2 mg SL daily", OPIOID),
    ("Butrans 10", OPIOID),
    ("methadone 40 mg od", OPIOID),
    ("hydromorphone 2mg po q4h", OPIOID),
    ("Dilaudid", OPIOID),
    ("tapentadol SR 50mg bd", OPIOID),
    ("Nucynta ER", OPIOID),
    ("Targinact 10/5", OPIOID),
    ("Nurofen Plus", OPIOID),
    ("oxycodon 5 mg", OPIOID),  # misspelling: suggestion only
    ("tramadoll", OPIOID),  # misspelling
    # benzodiazepines
    ("diazepam 5mg tds", BENZO),
    ("Valium 2 mg PRN", BENZO),
    ("lorazepam 1mg sl", BENZO),
    ("Ativan 0.5mg", BENZO),
    ("alprazolam ER 1 mg", BENZO),
    ("Xanax XR", BENZO),
    ("clonazepam 0.5 mg bid", BENZO),
    ("Klonopin", BENZO),
    ("Rivotril 2mg", BENZO),
    ("temazepam 10mg nocte", BENZO),
    ("clobazam 10 mg", BENZO),
    ("midazolam buccal 10mg", BENZO),
    ("Buccolam", BENZO),
    ("chlordiazepoxide 10mg", BENZO),
    ("diazapam", BENZO),  # misspelling
    # gabapentinoids
    ("gabapentin 300 mg TID", GABA),
    ("gabapentin 300mg tds", GABA),
    ("Neurontin 600", GABA),
    ("pregabalin (Lyrica)", GABA),
    ("Lyrica 75 mg bd", GABA),
    ("pregabalin CR 165 mg", GABA),
    ("Lyrica (pregabalin) 150mg", GABA),
    ("gabapentine", GABA),  # misspelling
    ("pregablin", GABA),  # misspelling
    # hypnotics and sedatives
    ("zolpidem 5 mg qhs", HYPNO),
    ("Ambien CR 12.5mg", HYPNO),
    ("zopiclone 7.5mg nocte", HYPNO),
    ("Zimovane", HYPNO),
    ("eszopiclone 2mg hs", HYPNO),
    ("Lunesta", HYPNO),
    ("phenobarbital 30mg", HYPNO),
    ("clomethiazole 192 mg", HYPNO),
    ("Heminevrin capsules", HYPNO),
    ("chloral hydrate", HYPNO),
    ("sodium oxybate", HYPNO),
    ("Xyrem", HYPNO),
    ("zolpidem tartrate", HYPNO),
    ("suvorexant 10mg", OREXIN),
    ("Belsomra", OREXIN),
    ("Dayvigo 5 mg", OREXIN),
    ("daridorexant (Quviviq)", OREXIN),
    # other muscle relaxants
    ("tizanidine 2mg tds", RELAX),
    ("Zanaflex 4 mg", RELAX),
    ("cyclobenzaprine 10mg", RELAX),
    ("Flexeril", RELAX),
    ("methocarbamol 750", RELAX),
    ("Robaxin-750", RELAX),
    ("carisoprodol 350mg", RELAX),
    ("Soma", RELAX),
    ("dantrolene 25mg od", RELAX),
    ("orphenadrine ER 100", RELAX),
    ("metaxalone", RELAX),
    ("tizanadine", RELAX),  # misspelling
    # sedating antihistamines
    ("diphenhydramine 25mg hs", ANTIHIST),
    ("Benadryl", ANTIHIST),
    ("hydroxyzine HCl 25 mg", ANTIHIST),
    ("Atarax", ANTIHIST),
    ("promethazine 25mg nocte", ANTIHIST),
    ("Phenergan", ANTIHIST),
    ("chlorphenamine 4mg", ANTIHIST),
    ("Piriton", ANTIHIST),
    ("doxylamine", ANTIHIST),
    ("cyclizine 50mg tds", ANTIHIST),
    ("Tylenol PM", ANTIHIST),
    ("Nytol", ANTIHIST),
    # antipsychotics
    ("quetiapine 25mg nocte", PSYCH),
    ("Seroquel XR 50", PSYCH),
    ("olanzapine 5 mg", PSYCH),
    ("Zyprexa", PSYCH),
    ("haloperidol 0.5mg", PSYCH),
    ("risperidone 1mg bd", PSYCH),
    ("aripiprazole 10 mg", PSYCH),
    ("Abilify", PSYCH),
    ("clozapine", PSYCH),
    ("levomepromazine 6.25mg", PSYCH),
    ("prochlorperazine 5mg", PSYCH),
    ("chlorpromazine", PSYCH),
    ("quetiapine fumarate", PSYCH),
    ("quetiepine", PSYCH),  # misspelling
    # tricyclics
    ("amitriptyline 10mg nocte", TCA),
    ("amitriptyline hydrochloride 25 mg", TCA),
    ("Elavil", TCA),
    ("nortriptyline 25mg qhs", TCA),
    ("imipramine", TCA),
    ("clomipramine 25mg", TCA),
    ("dosulepin", TCA),
    ("doxepin 3mg (Silenor)", TCA),
    ("amitryptiline", TCA),  # misspelling
    # sedating antidepressants
    ("mirtazapine 15mg nocte", SEDAD),
    ("Remeron SolTab", SEDAD),
    ("mirtazapine 30 mg orodispersible", SEDAD),
    ("trazodone 50mg qhs", SEDAD),
    ("Desyrel", SEDAD),
    ("mirtazepine", SEDAD),  # misspelling
    # antiepileptics
    ("levetiracetam 500 mg BID", AED),
    ("Keppra 750mg bd", AED),
    ("sodium valproate 500mg MR bd", AED),
    ("Epilim Chrono 500", AED),
    ("Depakote ER", AED),
    ("valproic acid", AED),
    ("lamotrigine 100mg", AED),
    ("Lamictal", AED),
    ("topiramate 25 mg", AED),
    ("phenytoin 300mg od", AED),
    ("Dilantin", AED),
    ("oxcarbazepine 300mg", AED),
    ("lacosamide 100mg bd", AED),
    ("Vimpat", AED),
    ("zonisamide", AED),
    ("perampanel 4mg nocte", AED),
    ("Briviact", AED),
    ("carbamazepine CR 200mg bd", CBZ),
    ("Tegretol Retard 400", CBZ),
    ("levitiracetam", AED),  # misspelling
    # cannabinoids
    ("Sativex oromucosal spray", CANNAB),
    ("nabiximols", CANNAB),
    ("dronabinol 2.5 mg", CANNAB),
    ("Marinol", CANNAB),
    ("nabilone 1mg", CANNAB),
    ("Epidiolex", CANNAB),
    ("CBD oil", CANNAB),
    ("medical cannabis", CANNAB),
    ("marijuana", CANNAB),
    # MAO inhibitors, SSRIs, herbal (information)
    ("phenelzine", MAOI),
    ("selegiline 5mg", MAOI),
    ("rasagiline (Azilect)", MAOI),
    ("sertraline 50mg od", SSRI),
    ("Zoloft", SSRI),
    ("citalopram 20 mg", SSRI),
    ("fluoxetine 20mg caps", SSRI),
    ("venlafaxine XL 75mg", SSRI),
    ("duloxetine 60 mg", SSRI),
    ("melatonin 2mg MR nocte", HERBAL),
    ("valerian root", HERBAL),
    # blood pressure
    ("lisinopril 10 mg daily", BP),
    ("amlodipine 5mg od", BP),
    ("amlodipine besylate 10 mg", BP),
    ("Norvasc", BP),
    ("metoprolol succinate ER 50 mg daily", BP),
    ("Toprol XL", BP),
    ("Toprol-XL 25", BP),
    ("losartan potassium 50mg", BP),
    ("ramipril 5mg caps", BP),
    ("bisoprolol 2.5 mg", BP),
    ("furosemide 40mg mane", BP),
    ("Lasix", BP),
    ("HCTZ 25", BP),
    ("hydrochlorothiazide 12.5 mg", BP),
    ("tamsulosin 400mcg", BP),
    ("Zestoretic 20/12.5", BP),
    ("Exforge 5/160", BP),
    ("doxazosin XL 4mg", BP),
    ("clonidine 0.1 mg bid", BP),
    ("propranolol LA 80mg", BP),
    ("amlodipin", BP),  # misspelling
    # levodopa, lithium
    ("Sinemet 25/100 tid", LDOPA),
    ("carbidopa/levodopa 25/100", LDOPA),
    ("co-careldopa 12.5/50", LDOPA),
    ("Madopar 62.5", LDOPA),
    ("Stalevo", LDOPA),
    ("lithium carbonate 400mg", LITH),
    ("Priadel 400 mg nocte", LITH),
    # nephrotoxins
    ("ibuprofen 400mg tds prn", NEPHRO),
    ("Advil", NEPHRO),
    ("Nurofen", NEPHRO),
    ("naproxen 500mg bd", NEPHRO),
    ("Naprosyn EC", NEPHRO),
    ("diclofenac sodium 50 mg", NEPHRO),
    ("Voltarol", NEPHRO),
    ("celecoxib 200mg", NEPHRO),
    ("meloxicam 7.5", NEPHRO),
    ("Advil PM", NEPHRO),
    ("Arthrotec", NEPHRO),
    ("ibuprofin", NEPHRO),  # misspelling
    # antidiabetics
    ("metformin 500mg bd", DIAB),
    ("metformin ER 1000 mg", DIAB),
    ("Glucophage", DIAB),
    ("insulin glargine 20 units nocte", DIAB),
    ("Lantus", DIAB),
    ("gliclazide MR 30mg", DIAB),
    ("Ozempic 0.5 mg weekly", DIAB),
    ("Janumet 50/1000", DIAB),
    ("empagliflozin 10mg", DIAB),
    # alcohol, anaesthetics
    ("Diazepam 2mg PRN for spasm", BENZO),
    ("zopiclone 3.75 mg ON", HYPNO),
    ("amitriptyline 10mg t.d.s.", TCA),
    ("insulin (Lantus) 20u nocte", DIAB),
    ("hydrocodone-acetaminophen 10-325", OPIOID),
    ("Gabapentin (Neurontin) 600mg TDS", GABA),
    ("Morphine sulphate MR (MST) 10mg BD", OPIOID),
    ("Keppra XR 500", AED),
    ("baclofen 10mg tds", "interaction.baclofen"),
    ("Lioresal", "interaction.baclofen"),
    ("alcohol", ALCOHOL),
    ("EtOH", ALCOHOL),
    ("wine", ALCOHOL),
    ("propofol", ANAES),
    ("ketamine", ANAES),
]

NON_INTERACTING: list[str] = [
    "paracetamol 1g qds",
    "acetaminophen 500 mg",
    "Tylenol 500mg",
    "Panadol",
    "omeprazole 20mg od",
    "Losec",
    "lansoprazole 30 mg",
    "pantoprazole 40mg",
    "esomeprazole",
    "famotidine 20 mg",
    "atorvastatin 20mg nocte",
    "Lipitor",
    "simvastatin 40 mg",
    "rosuvastatin 10mg",
    "levothyroxine 100 mcg od",
    "Synthroid",
    "amoxicillin 500mg tds",
    "doxycycline 100mg",
    "nitrofurantoin MR 100mg",
    "cefalexin 500 mg",
    "azithromycin",
    "loratadine 10mg",
    "Claritin",
    "fexofenadine 180 mg",
    "montelukast 10mg",
    "salbutamol inhaler prn",
    "albuterol",
    "Ventolin",
    "fluticasone nasal spray",
    "budesonide",
    "tiotropium",
    "vitamin D3 1000 units",
    "colecalciferol",
    "folic acid 5mg",
    "ferrous sulfate 200 mg",
    "vitamin B12",
    "thiamine 100 mg",
    "clopidogrel 75mg",
    "apixaban 5 mg bd",
    "Eliquis",
    "rivaroxaban 20mg",
    "warfarin",
    "allopurinol 100 mg",
    "alendronic acid 70mg weekly",
    "hydroxychloroquine",
    "prednisolone 5mg",
    "finasteride",
    "solifenacin 5mg",
    "mirabegron",
    "ondansetron 4mg",
    "lactulose",
    "Movicol",
    "senna 7.5mg nocte",
    "docusate",
    "Copaxone",
    "ocrelizumab",
    "Tecfidera",
    "naltrexone 50mg",
    "acamprosate 333 mg",
    "nicotine patch",
    "varenicline",
    "sumatriptan",
    "donepezil",
    "Tylenol Extra Strength",
    "Vit D 1000 units",
    "alcohol swabs",
]


def _recognised(typed: str, expected: str, kb: KnowledgeBase) -> bool:
    m = match_one(typed, kb)
    if m.status == "matched":
        return expected in m.classes
    # a misspelling: never matched, but the suggestion leads to the right class
    if m.suggestion is None:
        return False
    suggested = match_one(m.suggestion, kb)
    return expected in suggested.classes


def test_at_least_150_typed_strings_and_50_non_interacting() -> None:
    assert len(TYPED) >= 150
    assert len({t for t, _ in TYPED}) == len(TYPED)
    assert len(NON_INTERACTING) >= 50
    assert {t for t, _ in TYPED} >= MISSPELT and len(MISSPELT) >= 10


MISSPELT = {
    "oxycodon 5 mg",
    "tramadoll",
    "diazapam",
    "gabapentine",
    "pregablin",
    "tizanadine",
    "quetiepine",
    "amitryptiline",
    "mirtazepine",
    "levitiracetam",
    "amlodipin",
    "ibuprofin",
}


def test_recognition_rate(kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    missed = [(t, c) for t, c in TYPED if not _recognised(t, c, kb)]
    rate = 100 * (len(TYPED) - len(missed)) / len(TYPED)
    with capsys.disabled():
        print(f"\nrecognition: {len(TYPED) - len(missed)}/{len(TYPED)} = {rate:.1f}%")
        for t, c in missed:
            print(f"  missed: {t!r} (expected {c})")
    assert rate >= 98, missed


def test_misspellings_are_never_matched_silently(kb: KnowledgeBase) -> None:
    for typed in MISSPELT:
        m = match_one(typed, kb)
        assert m.status == "unrecognized" and m.classes == () and m.suggestion, typed


@pytest.mark.parametrize("typed", NON_INTERACTING)
def test_non_interacting_medicines_raise_no_interaction_alert(run: Run, typed: str) -> None:
    rec = run(comedications=[typed])
    assert [a.id for a in rec.alerts if a.category == "interaction"] == []
    (match,) = rec.comedications
    assert match.status == "matched" and match.classes == ()


def test_no_false_alarm_all_together(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    rec = run(comedications=NON_INTERACTING)
    alarms = [a.id for a in rec.alerts if a.category == "interaction"]
    with capsys.disabled():
        print(
            f"\nfalse alarms among {len(NON_INTERACTING)} non-interacting medicines: {len(alarms)}"
        )
    assert alarms == []


def test_normalisation_sets_aside_what_clinicians_add(kb: KnowledgeBase) -> None:
    vocab = kb.interactions.matching
    assert normalise_name("Oxycodone HCl 5 mg ER PO q4-6h PRN", vocab) == "oxycodone"
    assert normalise_name("gabapentin 300mg TID", vocab) == "gabapentin"
    assert normalise_name("Tylenol No. 3", vocab) == "tylenol #3"
    assert normalise_name("fentanyl 25 mcg/hr patch", vocab) == "fentanyl"


def test_ingredients_carry_rxnorm_codes_where_known(kb: KnowledgeBase) -> None:
    m = match_one("Percocet 5/325", kb)
    assert dict(m.ingredients) == {"oxycodone": "7804", "paracetamol": "161"}
    assert match_one("gabapentin", kb).to_dict()["ingredients"] == [
        {"name": "gabapentin", "rxcui": "25480"}
    ]


def test_a_note_after_the_name_does_not_lose_the_medicine(run: Run) -> None:
    rec = run(comedications=["oxycodone stopped last week"])
    assert "hazard.cns_depression" in {a.id for a in rec.alerts}
    not_checked = next(a for a in rec.alerts if a.id == "interaction.not_checked")
    assert "stopped last week" in not_checked.summary  # the note is shown, never dropped
