"""tests/sanitize.cfg, applied as nbval applies it (issue 13): the address rule is anchored."""
import pathlib
import re

from nbval.plugin import get_sanitize_patterns

CFG = pathlib.Path(__file__).with_name("sanitize.cfg")


def sanitize(text):
    # nbval applies every (regex, replace) pair of the file in order with re.sub
    for regex, replace in get_sanitize_patterns(CFG.read_text()):
        text = re.sub(regex, replace, text)
    return text


def test_figure_size_rule_matches_after_the_address_rule():
    assert sanitize("<Figure size 1100x380 with 2 Axes>") == "<Figure>"
    assert sanitize("<Figure size 640x400 with 1 Axes>") == "<Figure>"


def test_addresses_are_replaced_but_not_inside_other_numbers():
    assert sanitize("<Output at 0x7f3a2b9c1d00>") == "<Output at 0xADDRESS>"
    assert sanitize("(0x1f, 0xABC)") == "(0xADDRESS, 0xADDRESS)"
    assert sanitize("an image of 1100x380 pixels") == "an image of 1100x380 pixels"
    assert sanitize("id_0x12") == "id_0x12"
