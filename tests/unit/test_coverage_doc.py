"""docs/api-coverage.md lists exactly the operations the registry implements."""

from pathlib import Path

from privlink.coverage import render


def test_coverage_doc_is_current() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "api-coverage.md"
    assert doc.read_text() == render(), "regenerate: python -m privlink.coverage"
