"""Named errors. The library raises these; only the CLI/UI turn them into messages and exit codes."""


class RagError(Exception):
    """Base class: a problem the user can act on, with a message that says what and where."""

    exit_code = 1


class UsageError(RagError):
    """The request itself is wrong (a missing path, an empty question)."""

    exit_code = 2


class IndexMissingError(RagError):
    """The index does not exist yet, or holds no documents."""


class StoreUnavailableError(RagError):
    """The Chroma store cannot be opened or reached."""


class NothingIngestedError(RagError):
    """Every input file was rejected, so the run added nothing."""
