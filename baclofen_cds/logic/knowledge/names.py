"""Medicine names: normalising what a clinician types, and the index every name is looked up in.

The index (`build_names`) is built once, when the knowledge base loads, from the classes,
combinations and non-interacting medicines of interactions.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import msgspec

from baclofen_cds.logic.knowledge.errors import KnowledgeBaseError
from baclofen_cds.logic.knowledge.schema import InteractionsFile, MatchingVocabulary, Member


class DrugName(msgspec.Struct, frozen=True):
    """One name a clinician may type, and what it stands for.

    A single medicine has one ingredient (`generic`); a combination product lists each
    ingredient with its own classes, and `generic` joins their names ("codeine + paracetamol").
    """

    generic: str
    classes: tuple[str, ...]
    ingredients: tuple[Ingredient, ...] = ()


class Ingredient(msgspec.Struct, frozen=True):
    name: str
    classes: tuple[str, ...]
    rxcui: str | None = None


_NUMBERED = re.compile(r"\bno\.?\s*(?=\d)|#\s*(?=\d)")  # "Tylenol No. 3", "# 3" -> "#3"
_EVERY_HOURS = re.compile(r"\bq\s*\d+(?:\s*-\s*\d+)?\s*(?:h|hr|hrs|hours?)\b")  # q4h, q4-6h
_TIMES = re.compile(r"\b(?:x\s*\d+|\d+\s*x)\b")  # x2, 2x
_NUMBER_UNIT = re.compile(r"(?<=\d)(?=[a-z%\u00b5\u03bc])")  # 300mg -> 300 mg
_NOT_WORD = re.compile(r"[^0-9a-z#%.\u00b5\u03bc]+")
_NUMBERISH = re.compile(r"[0-9.,%]+")
_DOTTED = re.compile(r"(?<=\b[a-z])\.(?=[a-z]\b)")


def normalise_name(text: str, vocabulary: MatchingVocabulary, *, light: bool = False) -> str:
    """The key of a medicine name as typed: 'Oxycodone HCl 5 mg ER PO q12h' -> 'oxycodone'.

    Case, marks, strengths and units, frequencies, routes, release words and salts are set
    aside (the vocabulary in interactions.yaml lists them); "#3" / "No. 3" stay as "#3";
    punctuation (hyphens, slashes) becomes a space. `light` keeps the words and sets aside only
    numbers, units and punctuation ("Panadol Night 500 mg" -> "panadol night").
    """
    cleaned = text.casefold().replace("\u00ae", " ").replace("\u2122", " ")
    if not _PLAIN.fullmatch(cleaned):  # digits, dots or marks: strengths, "#3", "t.d.s."
        cleaned = _DOTTED.sub("", _NUMBERED.sub("#", cleaned).replace("#", " #"))
        cleaned = _EVERY_HOURS.sub(" ", cleaned)
        cleaned = _TIMES.sub(" ", cleaned)
        cleaned = _NUMBER_UNIT.sub(" ", cleaned)
    words = (w.strip(".") for w in _NOT_WORD.sub(" ", cleaned).split())
    units, drop = _drop_sets(vocabulary)
    skip = units if light else drop
    return " ".join(w for w in words if w and w not in skip and not _NUMBERISH.fullmatch(w))


_PLAIN = re.compile(r"[a-z -]*")
_DROP_SETS: dict[int, tuple[MatchingVocabulary, frozenset[str], frozenset[str]]] = {}


def _drop_sets(vocabulary: MatchingVocabulary) -> tuple[frozenset[str], frozenset[str]]:
    """(units, every word set aside) of a vocabulary: built once per vocabulary object."""
    hit = _DROP_SETS.get(id(vocabulary))
    if hit is None or hit[0] is not vocabulary:
        if len(_DROP_SETS) > 16:  # knowledge bases loaded and dropped (tests): keep it small
            _DROP_SETS.clear()
        units = frozenset(vocabulary.units)
        hit = (vocabulary, units, units | frozenset(vocabulary.drop_words))
        _DROP_SETS[id(vocabulary)] = hit
    return hit[1], hit[2]


def split_parts(text: str, vocabulary: MatchingVocabulary) -> list[str]:
    """The parts of a combination as typed ("oxycodone/acetaminophen 5/325")."""
    parts = [text.casefold()]
    for sep in vocabulary.separators:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [p for p in (q.strip() for q in parts) if p]


class _IngredientIndex:
    """Ingredients by normalised generic name, their brands, and every name as written."""

    def __init__(self, vocab: MatchingVocabulary) -> None:
        self.vocab = vocab
        self.ingredient: dict[str, Ingredient] = {}  # generic key -> ingredient
        self.brand_of: dict[str, str] = {}  # brand key -> generic key
        self.display_names: dict[str, str] = {}  # every name as written -> its generic key

    def add(self, member: Member, class_id: str | None, owner: str) -> None:
        generic = _key_of(member.name, owner, self.vocab)
        known = self.ingredient.get(generic)
        _check_member(member, known, class_id, owner)
        rxcui = member.rxcui or (known.rxcui if known else None)
        classes = (known.classes if known else ()) + ((class_id,) if class_id else ())
        self.ingredient[generic] = Ingredient(
            name=known.name if known else member.name, classes=classes, rxcui=rxcui
        )
        self.display_names[member.name] = generic
        for brand in member.brands:
            self.display_names[brand] = generic
            key = _key_of(brand, owner, self.vocab)
            if self.brand_of.get(key, generic) != generic:
                raise KnowledgeBaseError(
                    f"interactions.yaml: brand {brand!r} is listed for both "
                    f"{self.brand_of[key]!r} and {generic!r}"
                )
            self.brand_of[key] = generic


def _check_member(
    member: Member, known: Ingredient | None, class_id: str | None, owner: str
) -> None:
    """A generic is in classes or in no_interaction, never both, never twice, one RxCUI."""
    if known is None:
        return
    if class_id is None:
        raise KnowledgeBaseError(
            f"interactions.yaml: {member.name!r} is listed as not interacting and in "
            f"{', '.join(known.classes) or 'no_interaction'} too"
        )
    if known.classes == ():
        raise KnowledgeBaseError(
            f"interactions.yaml: {member.name!r} is in {owner} and listed as not interacting"
        )
    if class_id in known.classes:
        raise KnowledgeBaseError(f"interactions.yaml: {owner}: member {member.name!r} listed twice")
    if member.rxcui and known.rxcui and member.rxcui != known.rxcui:
        raise KnowledgeBaseError(f"interactions.yaml: {member.name!r} has two RxCUIs")


def build_names(interactions: InteractionsFile) -> dict[str, DrugName]:
    """The index every typed name is looked up in: built once, when the knowledge base loads.

    Keys are normalised names, and the same without spaces ("co codamol" and "cocodamol").
    """
    vocab = interactions.matching
    index = _IngredientIndex(vocab)
    ingredient, brand_of, display_names = index.ingredient, index.brand_of, index.display_names
    for cls in interactions.classes:
        for member in cls.members:
            index.add(member, cls.id, cls.id)
    for member in interactions.no_interaction.members:
        index.add(member, None, interactions.no_interaction.id)

    names: dict[str, DrugName] = {}
    for generic, ing in ingredient.items():
        names[generic] = DrugName(generic=ing.name, classes=ing.classes, ingredients=(ing,))
    light_keys: dict[str, DrugName] = {}
    for brand, generic in brand_of.items():
        if brand in ingredient and brand != generic:
            raise KnowledgeBaseError(
                f"interactions.yaml: {brand!r} is both a generic name and a brand of {generic!r}"
            )
        names[brand] = names[generic]
    light_keys.update(_combination_keys(interactions, ingredient, names))
    for member_name, generic in display_names.items():
        light_keys.setdefault(normalise_name(member_name, vocab, light=True), names[generic])
    for key, drug in light_keys.items():
        names.setdefault(key, drug)
    for key, drug in list(names.items()):
        names.setdefault(key.replace(" ", ""), drug)
    return names


def _combination_keys(
    interactions: InteractionsFile,
    ingredient: Mapping[str, Ingredient],
    names: Mapping[str, DrugName],
) -> dict[str, DrugName]:
    """Every combination product's names (lightly and fully normalised) -> its ingredients."""
    vocab = interactions.matching
    light_keys: dict[str, DrugName] = {}
    for combo in interactions.combinations:
        parts: list[Ingredient] = []
        for part in combo.ingredients:
            found = ingredient.get(normalise_name(part, vocab))
            if found is None:
                raise KnowledgeBaseError(
                    f"interactions.yaml: combination {combo.name!r}: unknown ingredient {part!r}"
                )
            parts.append(found)
        classes = tuple(dict.fromkeys(c for ing in parts for c in ing.classes))
        drug = DrugName(
            generic=" + ".join(i.name for i in parts), classes=classes, ingredients=tuple(parts)
        )
        for name in (combo.name, *combo.brands):
            key = normalise_name(name, vocab, light=True)
            if key in names and names[key] != drug:
                raise KnowledgeBaseError(
                    f"interactions.yaml: combination name {name!r} is already the name of "
                    f"{names[key].generic!r}"
                )
            light_keys[key] = drug
            # the fully normalised key too, unless it is another medicine's ("Panadol Night")
            full = _key_of(name, f"combination {combo.name!r}", vocab)
            if full not in names:
                light_keys.setdefault(full, drug)
    return light_keys


def _key_of(name: str, owner: str, vocab: MatchingVocabulary) -> str:
    key = normalise_name(name, vocab)
    if not key:
        raise KnowledgeBaseError(f"interactions.yaml: {owner}: {name!r} is empty once normalised")
    return key


def names_to_json(names: Mapping[str, DrugName]) -> bytes:
    """The built index as JSON, for the bundle: each distinct medicine once, then every key (in
    the index's order) with the position of its medicine."""
    drugs: dict[int, int] = {}
    rows: list[DrugName] = []
    keys: dict[str, int] = {}
    for key, drug in names.items():
        at = drugs.get(id(drug))
        if at is None:
            at = drugs[id(drug)] = len(rows)
            rows.append(drug)
        keys[key] = at
    return msgspec.json.encode(_NamesJson(drugs=rows, keys=keys))


class _NamesJson(msgspec.Struct):
    drugs: list[DrugName]
    keys: dict[str, int]


def names_from_json(raw: bytes) -> dict[str, DrugName] | None:
    """The index `names_to_json` wrote; None when it cannot be read (then it is built)."""
    try:
        data = msgspec.json.decode(raw, type=_NamesJson)
    except (msgspec.DecodeError, RecursionError):
        return None
    drugs, count = data.drugs, len(data.drugs)
    if not all(0 <= at < count for at in data.keys.values()):
        return None
    return {key: drugs[at] for key, at in data.keys.items()}
