"""Secrets never reach the training data.

A fact in the adapter's weights cannot be deleted without retraining, so curation drops
every statement that holds a secret rather than training on a redacted copy (a redaction
that misses one character still teaches the rest of the key). `find_secrets` says where
the secrets are; `redact` is for logs, manifests and briefings, which may show the
sentence with the secret masked.

The rules are shape-based and deliberately eager: a false positive costs one dropped
sentence, a false negative puts a key into the weights for good.

- provider keys: OpenAI `sk-…`/`sk-proj-…`, AWS `AKIA…`, GitHub `ghp_`/`gho_`/`ghu_`/
  `ghs_`/`ghr_`/`github_pat_`, Slack `xox[abpr]-`, JWTs (three base64url parts, `eyJ…`);
- any long token (32+ characters of hex or base64) that mixes character classes;
- passwords, passphrases, PINs and codes stated in text ("my password is hunter2",
  "pw: …", "the PIN is 1234");
- payment card numbers (13–19 digits, spaces or dashes allowed, Luhn-valid);
- IBANs (country code, check digits, mod-97 valid).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "find_secrets", "redact", "has_secret"]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str   # api_key | token | jwt | password | card | iban

    def text(self, source: str) -> str:
        return source[self.start:self.end]


_API_KEY = re.compile(
    r"\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_\-]{16,}"
    r"|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"
    r"|\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}"
    r"|\bgithub_pat_[A-Za-z0-9_]{20,}"
    r"|\bxox[abpr]-[A-Za-z0-9\-]{10,}"
    r"|\bAIza[0-9A-Za-z_\-]{30,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}")
_LONG_TOKEN = re.compile(r"(?<![A-Za-z0-9+/=_\-])[A-Za-z0-9+/=_\-]{32,}(?![A-Za-z0-9+/=_\-])")
# "my password is hunter2", "pw: x", "the PIN is 1234", "passcode = 9911", "wifi password: …"
_PASSWORD = re.compile(
    r"\b(?:password|passwd|passphrase|passcode|pass code|pw|pwd|pin(?: code| number)?|security code|cvv|cvc|"
    r"secret(?: key)?|api key|access key|token|login code|door code|alarm code|combination)"
    r"(?:\s+(?:is|was|=|:|will be|is now|are)|\s*[:=])\s*[\"'“‘]?(?P<value>[^\s\"'”’,;]{3,})",
    re.IGNORECASE)
_CARD = re.compile(r"(?<![\d-])(?:\d[ \-]?){12,18}\d(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")


def find_secrets(text: str) -> list[Span]:
    """Every secret-looking span in `text`, sorted, overlaps merged."""
    spans: list[Span] = []
    spans += [Span(m.start(), m.end(), "api_key") for m in _API_KEY.finditer(text)]
    spans += [Span(m.start(), m.end(), "jwt") for m in _JWT.finditer(text)]
    spans += [Span(m.start(), m.end(), "token") for m in _LONG_TOKEN.finditer(text) if _mixed(m.group(0))]
    spans += [Span(m.start("value"), m.end("value"), "password") for m in _PASSWORD.finditer(text)
              if not _is_filler(m.group("value"))]
    spans += [Span(m.start(), m.end(), "card") for m in _CARD.finditer(text) if _luhn(m.group(0))]
    spans += [Span(m.start(), m.end(), "iban") for m in _IBAN.finditer(text) if _iban_ok(m.group(0))]
    return _merge(spans)


def has_secret(text: str) -> bool:
    return bool(find_secrets(text))


def redact(text: str, mask: str = "[REDACTED]") -> str:
    """`text` with every secret replaced by `mask` (for logs and briefings, never for training)."""
    out, last = [], 0
    for span in find_secrets(text):
        out.append(text[last:span.start])
        out.append(mask)
        last = span.end
    out.append(text[last:])
    return "".join(out)


def _mixed(token: str) -> bool:
    """A random-looking token mixes classes: hex with letters and digits, or base64 with cases and digits."""
    digits = any(c.isdigit() for c in token)
    lower = any(c.islower() for c in token)
    upper = any(c.isupper() for c in token)
    if re.fullmatch(r"[0-9a-fA-F]+", token):
        return digits and (lower or upper)
    return sum((digits, lower, upper)) >= 2 and digits


# "my password is secret" is a statement about a password policy, not a password; neither
# are "…is too long" or "…is the same".
_FILLER = {"the", "a", "an", "my", "your", "too", "very", "not", "same", "still", "also", "always", "never",
           "what", "which", "something", "changed", "required", "needed", "wrong", "correct", "written", "saved"}


def _is_filler(value: str) -> bool:
    return value.lower().rstrip(".!?") in _FILLER


def _luhn(raw: str) -> bool:
    digits = [int(c) for c in raw if c.isdigit()]
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _iban_ok(raw: str) -> bool:
    iban = raw.replace(" ", "")
    if not 15 <= len(iban) <= 34:
        return False
    rotated = iban[4:] + iban[:4]
    number = "".join(str(int(c, 36)) for c in rotated)
    return int(number) % 97 == 1


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end), last.kind)
        else:
            merged.append(span)
    return merged
