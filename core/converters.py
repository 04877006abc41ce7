"""Path converters of the URL configuration."""

# The largest id a 64-bit integer column holds: PostgreSQL's bigint and SQLite's INTEGER.
MAX_ID = 2**63 - 1


class IdConverter:
    """A positive integer a database column can hold. Anything larger does not match, so its
    route answers 404 like any id that names nothing, instead of overflowing the query."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= MAX_ID:
            raise ValueError(f"{value} is not an id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class PageIndexConverter:
    """A page's place in a multi-page form, counted from 0: a few digits at most, so a huge
    number does not match and its route answers 404."""

    regex = "[0-9]{1,4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
