"""User-facing errors: each carries one line naming the problem and where it is."""


class UserError(Exception):
    """A mistake in the user's input (config, JSONL, arguments); printed as one line."""
