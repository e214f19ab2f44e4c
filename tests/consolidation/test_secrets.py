"""Secrets are found by shape, and ordinary sentences are left alone."""

import pytest

from consolidation.secrets import find_secrets, has_secret, redact

SECRETS = [
    ("here's my key sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z, keep it safe", "sk-proj-"),
    ("old one: sk-4f9a8B7c6D5e4F3g2H1i0JkLmNoP", "sk-4f9a"),
    ("AWS is AKIAIOSFODNN7EXAMPLE for the backup bucket", "AKIAIOSFODNN7EXAMPLE"),
    ("use ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 for the repo", "ghp_"),
    ("github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789", "github_pat_"),
    ("the bot token xoxb-2048-1234-abcdefABCDEF is in slack", "xoxb-"),
    ("session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
     "eyJhbGci"),
    ("the hash is 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "9f86d0"),
    ("my password is hunter2", "hunter2"),
    ("wifi pw: Tr0ub4dor&3", "Tr0ub4dor"),
    ("The PIN is 1234 so don't tell anyone", "1234"),
    ("card 4539 1488 0343 6467 expires soon", "4539 1488 0343 6467"),
    ("pay it to GB82 WEST 1234 5698 7654 32 by Friday", "GB82 WEST"),
]


@pytest.mark.parametrize("text,fragment", SECRETS)
def test_secret_is_found_and_redacted(text, fragment):
    spans = find_secrets(text)
    assert spans, text
    assert fragment not in redact(text)
    assert "[REDACTED]" in redact(text)


@pytest.mark.parametrize("text", [
    "My sister Ilse lives in Ghent.",
    "I was born on 12 March 1991 and my phone ends in 4411.",
    "My password is too long to remember, honestly.",
    "I collect tram tickets, 212 of them so far.",
    "Order number 1234 5678 9012 3456 arrived",        # 16 digits, not Luhn-valid
    "The supercalifragilisticexpialidociousness of it all",
])
def test_ordinary_text_is_not_a_secret(text):
    assert not has_secret(text)
    assert redact(text) == text


def test_spans_are_merged_and_sorted():
    text = "key sk-abcdefghijklmnopqrstuvwxyz0123456789 then the PIN is 9911"
    spans = find_secrets(text)
    assert [s.kind for s in spans] == ["api_key", "password"]
    assert spans[0].end <= spans[1].start
    assert spans[1].text(text) == "9911"
