"""A response's reference: eight characters that cannot be mistaken for one another, from the operating
system's randomness in one draw, each character equally likely."""

import re
from collections import Counter

from engage.surveys import responses
from engage.surveys.responses import REFERENCE_ALPHABET, as_reference, new_reference

PATTERN = re.compile(rf"^[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$")


def test_a_reference_reads_as_two_groups_of_four_from_the_alphabet():
    for _ in range(200):
        reference = new_reference()
        assert PATTERN.match(reference), reference
        assert as_reference(reference.lower().replace("-", " ")) == reference


def test_one_draw_from_secrets_gives_every_character(monkeypatch):
    asked = []

    def drawn(below: int) -> int:
        asked.append(below)
        return below - 1

    monkeypatch.setattr(responses.secrets, "randbelow", drawn)
    assert new_reference() == "9999-9999"  # the last number: the alphabet's last character everywhere
    assert asked == [31**8]
    monkeypatch.setattr(responses.secrets, "randbelow", lambda below: 0)
    assert new_reference() == "AAAA-AAAA"
    # 1 + 2 * 31 is "B", then "C", then "A" for the rest: the first character is the lowest digit.
    monkeypatch.setattr(responses.secrets, "randbelow", lambda below: 1 + 2 * 31)
    assert new_reference() == "BCAA-AAAA"


def test_every_character_turns_up_in_every_place_about_equally():
    draws = 31 * 200
    places = [Counter() for _ in range(8)]
    for _ in range(draws):
        for place, character in enumerate(new_reference().replace("-", "")):
            places[place][character] += 1
    for counted in places:
        assert set(counted) == set(REFERENCE_ALPHABET)
        # 200 expected each; by chance, any of the 248 counts outside 120-290 about one time in a million.
        assert min(counted.values()) >= 120
        assert max(counted.values()) <= 290


def test_references_do_not_repeat():
    # Two of 2,000 alike by chance: about one in 400,000.
    assert len({new_reference() for _ in range(2000)}) == 2000
