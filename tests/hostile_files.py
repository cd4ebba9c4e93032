"""Hostile upload files, built small in memory, that once exhausted a worker (issue 18, finding 5). Shared by
the regression tests and `make bench` (benchmarks/uploads.py)."""

from __future__ import annotations

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx_with_sheet(sheet_data: str, dimension: str = "A1:B2", sheet_prefix: str = "") -> bytes:
    """A minimal workbook whose first sheet's <sheetData> holds ``sheet_data`` (rows of inline strings)."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>{sheet_prefix}<worksheet {_SHEET_NS}>'
        f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def xlsx_huge_dimension(rows: int = 12_800) -> bytes:
    """Three real rows (the last one numbered ``rows``) and a declared dimension of every column (XFD): about
    1.6 KB. Each row in between, missing from the file, was filled out to the declared width."""
    data = (
        '<row r="1">' + _inline("A1", "Indicator Ref") + _inline("B1", "Board") + "</row>"
        '<row r="2">' + _inline("A2", "PI-1") + _inline("B2", "HWB") + "</row>"
        f'<row r="{rows}">' + _inline(f"A{rows}", "PI-2") + _inline(f"B{rows}", "HWB") + "</row>"
    )
    return xlsx_with_sheet(data, dimension=f"A1:XFD{rows}")


def xlsx_far_cell() -> bytes:
    """One cell addressed far beyond any real column (openpyxl pads the row out to it)."""
    data = '<row r="1">' + _inline("A1", "Ref") + _inline("B1", "Board") + _inline("ZZZZ1", "far") + "</row>"
    return xlsx_with_sheet(data)


def xlsx_wide_row(cells: int) -> bytes:
    """One row of ``cells`` styled empty cells: tiny once compressed."""
    data = '<row r="1">' + _inline("A1", "Ref") + _inline("B1", "Board") + '<c s="0"/>' * cells + "</row>"
    return xlsx_with_sheet(data)


def xlsx_many_rows(rows: int) -> bytes:
    """A header and ``rows`` rows."""
    header = '<row r="1">' + _inline("A1", "Indicator Ref") + _inline("B1", "Board") + "</row>"
    data = "".join(
        f'<row r="{n}">{_inline(f"A{n}", "PI")}{_inline(f"B{n}", "HWB")}</row>' for n in range(2, rows + 2)
    )
    return xlsx_with_sheet(header + data)


def xlsx_entity_bomb() -> bytes:
    """A worksheet with a document type declaring nested entities ("billion laughs")."""
    prefix = (
        '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + k)} "{("&" + chr(97 + k) + ";") * 10}">' for k in range(8))
        + "]>"
    )
    data = '<row r="1">' + _inline("A1", "&i;") + _inline("B1", "Board") + "</row>"
    return xlsx_with_sheet(data, sheet_prefix=prefix)


def csv_wide(columns: int = 1_000_000, rows: int = 3) -> bytes:
    """A header of ``columns`` one-letter names (then a few short rows): every row was padded to its width."""
    header = ",".join("c" * columns)
    return (header + "\n" + "1,2\n" * rows).encode()


def csv_sniffer_trap(length: int = 63_000) -> bytes:
    """One line of ``,"`` repeated: csv.Sniffer's quote-guessing expression takes quadratic time on it."""
    return (',"' * (length // 2)).encode()


def csv_many_headers(columns: int = 50_000) -> bytes:
    """About 0.7 MB: every header became an option in each of the ten "which column?" selects."""
    return (",".join(f"heading{k:06d}" for k in range(columns)) + "\n" + "x,y\n").encode()


def csv_long_cell(length: int = 200_000) -> bytes:
    return ("Indicator Ref,Board\n" + "x" * length + ",HWB\n").encode()


def csv_many_rows(rows: int) -> bytes:
    return ("Indicator Ref,Board\n" + "PI,HWB\n" * rows).encode()


def population_bad_rows(rows: int = 200_000) -> bytes:
    """Every row wrong: each problem became a line of the error summary and of the field's message."""
    return ("dimension,category,population\n" + "".join(f"sex,c{k},many\n" for k in range(rows))).encode()


def xlsx_with_part(kind: str, part: str, xml: str, content_type: str) -> bytes:
    """The three-row workbook with one more part (styles, shared strings...) related to the workbook."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_many_rows(3)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename).decode()
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    "</Relationships>",
                    '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/{kind}" Target="{part}"/></Relationships>',
                )
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    "</Types>", f'<Override PartName="/xl/{part}" ContentType="{content_type}"/></Types>'
                )
            archive.writestr(info.filename, data)
        archive.writestr(f"xl/{part}", xml)
    return buffer.getvalue()


def xlsx_style_bomb(formats: int = 100_000) -> bytes:
    """A style sheet of ``formats`` cell formats: about 15 KB, and openpyxl builds every one."""
    xml = (
        f'<styleSheet {_SHEET_NS}><cellXfs count="{formats}">'
        + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * formats
        + "</cellXfs></styleSheet>"
    )
    return xlsx_with_part(
        "styles", "styles.xml", xml, "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
    )


def xlsx_shared_strings(strings: int) -> bytes:
    """A shared-strings table of ``strings`` short strings (openpyxl loads it whole)."""
    xml = f"<sst {_SHEET_NS}>" + "".join(f"<si><t>{k}</t></si>" for k in range(strings)) + "</sst>"
    return xlsx_with_part(
        "sharedStrings",
        "sharedStrings.xml",
        xml,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
    )
