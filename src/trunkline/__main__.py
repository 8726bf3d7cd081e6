"""``python -m trunkline`` runs the CLI."""

from trunkline.cli import main

if __name__ == "__main__":
    main()
