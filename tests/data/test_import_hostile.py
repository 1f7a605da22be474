"""Hostile spreadsheets are refused quickly with a clear message, and change nothing (#13).

Each file here is small; read naively, some would keep a worker busy for an hour.
"""

import io
import re
import zipfile

import pytest

from cases import imports
from cases import models as m
from tests.data.test_import import COLUMNS, GOOD, person, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def _with_sheet(path, rewrite):
    """The workbook at `path`, its first sheet's XML passed through `rewrite`, as bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = rewrite(data.decode()).encode()
            copy.writestr(item, data)
    return out.getvalue()


def _refused(content, researcher, words):
    result = imports.check_file(content, user=researcher, filename="hostile.xlsx")
    assert result.file_errors, "the file was not refused"
    assert re.search(words, " ".join(str(e) for e in result.file_errors)), result.file_errors
    assert m.Detainee.objects.count() == 0


def test_a_sheet_declaring_the_whole_grid_with_one_far_cell_is_refused(tmp_path, researcher):
    """The 1.6 KB file that walked a million rows of 16,384 cells: every row now counts."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'

    def rewrite(xml):
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace("</sheetData>", f"{far}</sheetData>")

    content = _with_sheet(write_xlsx(tmp_path / "a.xlsx", GOOD[:1]), rewrite)
    assert len(content) < 10_000
    # Refused at the 10,001st row read (in well under a second), not after a million.
    _refused(content, researcher, "more than 10000 rows")


def test_cells_past_the_last_column_are_never_read(tmp_path, researcher):
    far = '<c r="XFD2" t="inlineStr"><is><t>far away</t></is></c>'

    def rewrite(xml):
        return re.sub(r"(<row r=\"2\"[^>]*>.*?)(</row>)", rf"\1{far}\2", xml, flags=re.S)

    content = _with_sheet(write_xlsx(tmp_path / "a.xlsx", GOOD[:1]), rewrite)
    _header, rows = imports.read_rows(content)
    assert len(rows) == 1 and "far away" not in str(rows)


def test_malformed_sheet_xml_is_a_clear_error_on_the_import_page(tmp_path, researcher, client_for):
    content = _with_sheet(
        write_xlsx(tmp_path / "a.xlsx", GOOD[:1]), lambda xml: xml.replace("</sheetData>", "<row")
    )
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    with path.open("rb") as f:
        response = client_for(researcher).post("/staff/import/", {"file": f})
    assert response.status_code == 200
    assert "not a readable XLSX workbook" in response.text
    assert m.Detainee.objects.count() == 0


def test_a_workbook_that_unpacks_to_hundreds_of_megabytes_is_refused(tmp_path, researcher):
    padding = " " * (120 * 1024 * 1024)
    content = _with_sheet(
        write_xlsx(tmp_path / "a.xlsx", GOOD[:1]),
        lambda xml: xml.replace("<sheetData>", f"<sheetData>{padding}"),
    )
    assert len(content) < 1024 * 1024  # a worst-case 1 MB workbook
    _refused(content, researcher, "unpacks to more than 100 MB")


@pytest.mark.parametrize("empty_rows", [imports.MAX_ROWS + 5])
def test_empty_rows_count_toward_the_row_limit_in_a_csv_too(tmp_path, researcher, empty_rows):
    path = write_csv(tmp_path / "a.csv", [person()])
    with path.open("a", encoding="utf-8") as f:
        f.write("," * (len(COLUMNS) - 1) + "\n" * 1 + ("\n" * empty_rows))
    result = imports.check_file(path.read_bytes(), user=researcher, filename="a.csv")
    assert any("more than 10000 rows" in str(e) for e in result.file_errors)
