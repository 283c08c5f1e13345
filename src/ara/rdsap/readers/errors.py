"""Errors of the certificate readers: one exception type naming certificate, field and message,
and the failure records the batch readers return instead of raising."""

from __future__ import annotations

from typing import NamedTuple


class ReadFailure(NamedTuple):
    """One certificate (or one field of it) that a batch reader could not accept.

    ``certificate_number`` is the RRN when it could be read, otherwise ``None``; ``field`` is the
    column path in ``CERTIFICATE_SCHEMA`` (``building_parts[0].floor_dimensions[1].room_height_m``)
    or a pseudo-field in parentheses (``(document)``, ``(line)``); ``source`` says where the
    document came from (``path``, ``path:line``, ``archive.zip!member``).
    """

    certificate_number: str | None
    field: str
    message: str
    source: str | None = None


class CertificateReadError(ValueError):
    """A certificate that cannot be read, or whose values break the register's lodgement rules.

    ``failures`` holds every problem found in the certificate (the first one is also in
    ``field`` and ``message``), so that a caller can report them all at once.
    """

    def __init__(self, certificate_number: str | None, field: str, message: str,
                 *, source: str | None = None,
                 failures: list[ReadFailure] | None = None) -> None:
        self.certificate_number = certificate_number
        self.field = field
        self.message = message
        self.source = source
        self.failures: list[ReadFailure] = failures or [
            ReadFailure(certificate_number, field, message, source)]
        where = f" ({source})" if source else ""
        more = f" (and {len(self.failures) - 1} more)" if len(self.failures) > 1 else ""
        super().__init__(f"certificate {certificate_number or '?'}{where}: {field}: "
                         f"{message}{more}")

    def __reduce__(self) -> tuple[object, ...]:  # picklable across processes
        return (_rebuild, (self.certificate_number, self.field, self.message, self.source,
                           self.failures, type(self)))


class UnsafeDocumentError(CertificateReadError):
    """An XML document refused before parsing finished: entity declarations (XXE, entity
    expansion / "billion laughs"), external references, or a document over the size limit."""


def _rebuild(certificate_number: str | None, field: str, message: str, source: str | None,
             failures: list[ReadFailure], cls: type[CertificateReadError]
             ) -> CertificateReadError:
    return cls(certificate_number, field, message, source=source, failures=failures)
