"""Text analysis for the index: how words become searchable terms.

Case and accent folding, then English stemming. The same analyzer runs on
documents and on queries, so a query term meets its document term however
either was written. Treaty article ids are not analysed here: they live in
keyword fields (see :mod:`index.schema`).
"""

from __future__ import annotations

from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter
from whoosh.support.charset import accent_map

WORD = r"\w+(?:[-'’.]\w+)*"


def text_analyzer() -> Analyzer:
    """The analyzer of full-text fields (title, issuer, body)."""
    return RegexTokenizer(WORD) | LowercaseFilter() | CharsetFilter(accent_map) | StemFilter(lang="en", cachesize=50000)
