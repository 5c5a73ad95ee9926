"""The rulebook rendered: every rule id and source on the page, the marks, the sign-off page."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from baclofen_cds.handout.rulebook_html import render_rulebook_html
from baclofen_cds.handout.rulebook_pdf import render_rulebook_pdf
from baclofen_cds.logic import KnowledgeBase, load_knowledge_base
from baclofen_cds.logic.approval import Approval
from baclofen_cds.logic.rulebook import build_rulebook
from tests.handout.support import pdf_pages
from tests.logic.test_knowledge import PACKAGED
from tests.logic.test_rulebook import source_ids, yaml_rules


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_html_lists_every_rule_and_source_with_marks(kb: KnowledgeBase) -> None:
    html = render_rulebook_html(build_rulebook(kb))
    text = html_text(html)
    for ident in yaml_rules(PACKAGED):
        assert ident in text, f"{ident} missing from the HTML rulebook"
    for sid in source_ids(PACKAGED):
        assert f'id="source-{sid}"' in html
    block = re.search(r'<div class="rule" id="rule-policy.local">.*?</div>', html, re.S)
    assert block is not None
    assert "LOCAL POLICY" in block.group(0) and "UNVERIFIED" in block.group(0)
    assert "Knowledge base not clinically approved" in text
    assert f"approved_sha256: {kb.sha256}" in text
    assert "<script" not in html


def test_html_escapes_what_it_shows(kb: KnowledgeBase, tmp_path: Path) -> None:
    book = build_rulebook(kb, approval=Approval("<b>Dr X</b>", date(2026, 12, 2), kb.sha256))
    html = render_rulebook_html(book)
    assert "<b>Dr X</b>" not in html and "&lt;b&gt;Dr X&lt;/b&gt;" in html


def test_pdf_lists_every_rule_and_ends_with_the_sign_off_page(kb: KnowledgeBase) -> None:
    pdf = render_rulebook_pdf(build_rulebook(kb))
    pages = pdf_pages(pdf)
    text = " ".join(pages)
    for ident in yaml_rules(PACKAGED):
        assert ident in text, f"{ident} missing from the PDF rulebook"
    for sid in source_ids(PACKAGED):
        assert re.search(rf"\b{re.escape(sid)}\b", text), sid
    assert pages[-1].startswith("Sign-off")
    assert kb.sha256 in pages[-1]
    assert "Signature" in pages[-1]
    assert render_rulebook_pdf(build_rulebook(kb)) == pdf  # same content, same bytes
