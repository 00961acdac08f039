"""``python -m top check …`` (and the desk's checker download) without Flask."""

from top.cli import top_group


def main() -> None:
    top_group(prog_name="python -m top")


if __name__ == "__main__":
    main()
