"""Writes on SMEs: one record at a time (``sme``) and CSV imports (``csv_import``)."""

from smes.services.csv_import import ImportReport, RowIssue, import_smes_from_csv
from smes.services.sme import (
    UNSET,
    SMEWriteAction,
    SMEWriteResult,
    create_or_update_sme,
    remove_membership,
    sector_for_naf,
    set_membership,
)

__all__ = [
    "UNSET",
    "ImportReport",
    "RowIssue",
    "SMEWriteAction",
    "SMEWriteResult",
    "create_or_update_sme",
    "import_smes_from_csv",
    "remove_membership",
    "sector_for_naf",
    "set_membership",
]
