"""The form's question pages, as pure functions of the answers."""

from __future__ import annotations

from functions.form.journey import PAGE_IDS, ROLES, pages
from shared.domain.policy import CouncilPolicy
from shared.domain.vocabulary import ComplainantRole


def test_the_form_offers_every_role_the_vocabulary_has_in_words_people_use() -> None:
    offered = [value for value, _, _ in ROLES]
    assert sorted(offered) == sorted(role.value for role in ComplainantRole)
    assert len(set(offered)) == len(offered)
    words = {value: label for value, label, _ in ROLES}
    assert words["birth-parent"] == "A birth parent of a child who was adopted"
    assert words["adopted-person"] == "An adult who was adopted"


def test_a_child_is_asked_six_questions_and_an_adult_for_a_child_more() -> None:
    child = {"role": "child-looked-after", "kind": "complaint"}
    assert [p.id for p in pages(child, CouncilPolicy(), 5000, javascript=True)] == [
        "who",
        "kind",
        "about",
        "what",
        "help",
        "contact",
    ]
    parent = {"role": "parent", "kind": "complaint", "on_behalf_of": "a-child"}
    assert len(pages(parent, CouncilPolicy(), 5000, javascript=True)) == 9


def test_an_advocate_is_never_offered_an_advocate_nor_a_compliment_one() -> None:
    for answers in (
        {"role": "advocate", "kind": "complaint"},
        {"role": "child-in-need", "kind": "compliment"},
    ):
        asked = {q.name for p in pages(answers, CouncilPolicy(), 5000, javascript=True) for q in p.questions}
        assert "advocacy" not in asked and "support" in asked


def test_every_page_the_form_can_show_is_named_in_page_ids_with_its_follow_up() -> None:
    """The OpenAPI document lists the pages a post may name (PAGE_IDS): every page, for every role, kind
    and person it is for, and the follow-up page of any page that reveals questions, is among them."""
    shown = set()
    for role, _, _ in ROLES:
        for kind in ("complaint", "comment", "compliment"):
            for on_behalf_of in ("myself", "a-child", "someone-else"):
                answers = {"role": role, "kind": kind, "on_behalf_of": on_behalf_of, "advocacy": "has-one"}
                for page in pages(answers, CouncilPolicy(), 5000, javascript=True):
                    shown.add(page.id)
                    if any(question.reveals for question in page.questions):
                        shown.add(f"{page.id}-more")
    assert shown == set(PAGE_IDS)
