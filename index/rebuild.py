"""Rebuilding the index from the catalog alone, without re-reading originals.

The rebuild uses the bulk writer (one analysing process per core); its test
checks that every catalog document comes back, since Whoosh's multi-process
writer has been known to lose documents.
"""

from __future__ import annotations

from collections.abc import Callable
from shutil import rmtree

from archive.store import Archive
from index.search import SearchIndex


def rebuild(archive: Archive, *, batch: int = 500, progress: Callable[[int], None] | None = None) -> int:
    """Replace the index with one built from every document in the catalog; return the count."""
    directory = archive.settings.index_dir
    if directory.exists():
        rmtree(directory)
    count = 0
    with SearchIndex(directory) as search_index:
        documents = archive.iter_documents(batch=batch)
        done = False
        while not done:
            ids: list[str] = []
            with search_index.writer(bulk=True) as writer:
                for document in documents:
                    writer.add(document, archive.pages(document.id), archive.references(document.id), replace=False)
                    ids.append(document.id)
                    if len(ids) >= batch:
                        break
                else:
                    done = True
            archive.mark_indexed(ids)
            count += len(ids)
            if progress:
                progress(len(ids))
    return count
