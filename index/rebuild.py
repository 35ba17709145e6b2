"""Rebuilding the index from the catalog alone, without re-reading originals.

The rebuild uses the bulk writer (one analysing process per core); its test
checks that every catalog document comes back, since Whoosh's multi-process
writer has been known to lose documents.
"""

from __future__ import annotations

from collections.abc import Callable
from shutil import rmtree

from archive.store import Archive


def rebuild(archive: Archive, *, batch: int = 500, progress: Callable[[int], None] | None = None) -> int:
    """Replace the index with one built from every document in the catalog; return the count.

    One bulk writer takes every document and commits once: one segment per
    process and no merging on the way, which is what makes a large rebuild
    fast. If the rebuild fails, the index is incomplete until the next
    ``evidence reindex``; the catalog is untouched.
    """
    from index.search import SearchIndex  # the search machinery, loaded where it is used (see index/__init__)

    directory = archive.settings.index_dir
    if directory.exists():
        rmtree(directory)
    ids: list[str] = []
    with SearchIndex(directory, gazetteer=archive.settings.gazetteer) as search_index:
        with search_index.writer(bulk=True) as writer:
            for document in archive.iter_documents(batch=batch):
                writer.add(document, archive.pages(document.id), archive.references(document.id), replace=False)
                ids.append(document.id)
                if progress and len(ids) % batch == 0:
                    progress(batch)
        for start in range(0, len(ids), batch):
            archive.mark_indexed(ids[start:start + batch])
        if progress and len(ids) % batch:
            progress(len(ids) % batch)
    return len(ids)
