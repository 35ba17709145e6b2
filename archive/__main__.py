"""``python -m archive`` runs the ``evidence`` command line."""

from archive.cli import main

if __name__ == "__main__":
    main(prog_name="evidence")
