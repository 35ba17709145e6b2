"""Rebuilding the index from the catalog alone, without re-reading originals.

The new index is built beside the old one and put in its place only when it
is complete, so searches go on meanwhile and a rebuild that fails (or is
killed) leaves the old index as it was. The rebuild uses the bulk writer (one
analysing process per core); its test checks that every catalog document
comes back, since Whoosh's multi-process writer has been known to lose
documents.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
from collections.abc import Callable
from pathlib import Path
from shutil import rmtree

from archive.store import Archive

#: ``renameat2`` flag: exchange the two paths atomically (Linux).
RENAME_EXCHANGE = 2
#: ``renameat2``'s "relative to the working directory" (paths here are absolute or relative to it).
AT_FDCWD = -100


def rebuild(archive: Archive, *, batch: int = 500, progress: Callable[[int], None] | None = None) -> int:
    """Replace the index with one built from every document in the catalog; return the count.

    One bulk writer takes every document and commits once: one segment per
    process and no merging on the way, which is what makes a large rebuild
    fast. It writes into ``whoosh.rebuild`` beside the index; once that is
    complete the catalog marks every document unindexed, the two folders are
    exchanged, and the documents are marked indexed again. A crash before the
    exchange leaves the old index in use; a crash after it leaves documents
    marked unindexed, which the next ingest (or reindex) indexes again. Hold
    the archive's writer lock while calling this (``evidence reindex`` does).
    """
    from index.search import SearchIndex  # the search machinery, loaded where it is used (see index/__init__)

    directory = archive.settings.index_dir
    staging, retired = _beside(directory, "rebuild"), _beside(directory, "old")
    for leftover in (staging, retired):  # from a rebuild that did not finish
        if leftover.exists():
            rmtree(leftover)
    indexed: list[tuple[str, str]] = []  # (document id, the access level it was indexed at)
    try:
        with SearchIndex(staging, gazetteer=archive.settings.gazetteer) as search_index, \
                search_index.writer(bulk=True) as writer:
            for document in archive.iter_documents(batch=batch):
                writer.add(document, archive.pages(document.id), archive.references(document.id), replace=False)
                indexed.append((document.id, document.metadata.access))
                if progress and len(indexed) % batch == 0:
                    progress(batch)
    except BaseException:  # a full disk, Ctrl-C: the old index stays, and the half-built one gives its space back
        rmtree(staging, ignore_errors=True)
        raise
    archive.mark_all_unindexed()
    _put_in_place(staging, directory, retired)
    for start in range(0, len(indexed), batch):  # not those whose access changed meanwhile: the caller re-indexes them
        archive.mark_indexed(indexed[start:start + batch])
    if retired.exists():
        rmtree(retired)
    if progress and len(indexed) % batch:
        progress(len(indexed) % batch)
    return len(indexed)


def _beside(directory: Path, purpose: str) -> Path:
    return directory.with_name(f"{directory.name}.{purpose}")


def _put_in_place(staging: Path, directory: Path, retired: Path) -> None:
    """Make ``staging`` the index: exchanged with the old one in one step where the system can, else two renames.

    Open searchers keep reading the files they have open; :class:`index.search.SearchIndex` sees that the folder
    was replaced and opens the new one.
    """
    if not directory.exists():
        os.rename(staging, directory)
        return
    if _exchange(staging, directory):
        os.rename(staging, retired)  # staging now holds the old index
        return
    os.rename(directory, retired)
    os.rename(staging, directory)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with Linux's ``renameat2(RENAME_EXCHANGE)``; ``False`` where that is not offered."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # this file system or kernel cannot exchange
        return False
    raise OSError(error, os.strerror(error), str(second))
