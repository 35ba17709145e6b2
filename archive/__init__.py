"""The evidence archive: keep legal evidence documents safe and find them by the treaty articles they invoke.

The domain package. It ingests files (:func:`ingest`), keeps originals, the
catalog and the custody ledger (:class:`Archive`), and knows the treaties and
how documents cite them (:mod:`archive.treaties`). It never imports Flask;
the search index lives in the ``index`` package and the web app in ``webapp``.
"""

from __future__ import annotations

from archive.errors import ArchiveError
from archive.settings import Settings

__all__ = ["ArchiveError", "Archive", "Settings", "ingest"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # The heavy verbs are imported on first use, so `import archive` stays cheap for workers.
    if name == "Archive":
        from archive.store import Archive

        return Archive
    if name == "ingest":
        from archive.ingest import ingest

        return ingest
    raise AttributeError(name)
