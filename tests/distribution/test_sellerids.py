import csv
import datetime
import hashlib
import io
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.distribution.sellerids import (
    MAX_REPORTED_PROBLEMS,
    LineProblem,
    Reason,
    SellerIdDiff,
    SellerIdListError,
    canonical_bytes,
    canonical_sha256,
    diff_seller_ids,
    locate_seller_ids,
    parse_seller_ids,
)
from workflow.distribution.spreadsheets import (
    parse_seller_ids_csv,
    parse_seller_ids_xlsx,
)

FAST_PROPERTIES = settings(max_examples=150, deadline=None)


def problems_of(parse, source, **kwargs) -> list[tuple[int, str, Reason]]:
    with pytest.raises(SellerIdListError) as caught:
        parse(source, **kwargs)
    return [(p.line, p.value, p.reason) for p in caught.value.problems]


# --- plain text -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("\n \n\t\n", []),
        ("2200001\n", [2200001]),
        ("30\n10\n20", [30, 10, 20]),
        ("\ufeff7\r\n8\r\n", [7, 8]),
        ("1, 2;3\t4  5\n6", [1, 2, 3, 4, 5, 6]),
        ("1，2；3、4", [1, 2, 3, 4]),
        ("  99  \n\n\n  100", [99, 100]),
        ("9" * 20, [int("9" * 20)]),
    ],
)
def test_parse_accepts_valid_lists_in_input_order(text, expected):
    assert parse_seller_ids(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1\n12a4\n3", [(2, "12a4", Reason.NOT_NUMERIC)]),
        ("1\n-5", [(2, "-5", Reason.NOT_NUMERIC)]),
        ("1\n+5", [(2, "+5", Reason.NOT_NUMERIC)]),
        ("1_000", [(1, "1_000", Reason.NOT_NUMERIC)]),
        ("1.0", [(1, "1.0", Reason.NOT_NUMERIC)]),
        ("１２３", [(1, "１２３", Reason.NOT_NUMERIC)]),  # full-width digits
        ("²", [(1, "²", Reason.NOT_NUMERIC)]),  # str.isdigit() says yes
        ("12\u200b3", [(1, "12\u200b3", Reason.NOT_NUMERIC)]),  # zero-width space
        ("1\n\n" + "1" * 21, [(3, "1" * 21, Reason.TOO_LONG)]),
        ("0", [(1, "0", Reason.ZERO)]),
        ("5\n000", [(2, "000", Reason.ZERO)]),
        ("007", [(1, "007", Reason.LEADING_ZERO)]),
        (
            "1\nx\n\n0\n1\n012",
            [
                (2, "x", Reason.NOT_NUMERIC),
                (4, "0", Reason.ZERO),
                (6, "012", Reason.LEADING_ZERO),
            ],
        ),
    ],
)
def test_parse_reports_each_problem_with_line_and_reason(text, expected):
    assert problems_of(parse_seller_ids, text) == expected


def test_line_numbers_follow_every_line_break_kind():
    text = "1\r\n2\r3\n\nx\u2028y"
    assert problems_of(parse_seller_ids, text) == [
        (5, "x", Reason.NOT_NUMERIC),
        (6, "y", Reason.NOT_NUMERIC),
    ]


def test_duplicates_are_removed_and_their_lines_reported():
    located = locate_seller_ids("10\n20\n20\n30\n\n10 40\n\n\n\n\n\n30")
    assert located.ids == [10, 20, 30, 40]
    assert located.duplicate_count == 3
    assert located.duplicate_lines == (3, 6, 12)
    assert located.duplicates_notice() == "3 duplicate IDs removed: lines 3, 6, 12"
    assert located.locate() == [1, 2, 4, 6]


def test_one_duplicate_on_the_same_line_is_named_once():
    located = locate_seller_ids("5 5")
    assert located.ids == [5]
    assert located.duplicates_notice() == "1 duplicate ID removed: line 1"


def test_a_clean_list_has_no_duplicates_notice():
    assert locate_seller_ids("1\n2").duplicates_notice() == ""


def test_many_duplicates_name_the_first_lines_and_count_the_rest():
    located = locate_seller_ids("\n".join(["7"] * 26))
    assert located.ids == [7]
    notice = located.duplicates_notice()
    assert notice.startswith("25 duplicate IDs removed: lines 2, 3, 4,")
    assert notice.endswith(", 21 and 5 more")


def test_duplicates_beside_a_bad_line_still_refuse_only_for_the_bad_line():
    assert problems_of(parse_seller_ids, "1\n1\nx") == [(3, "x", Reason.NOT_NUMERIC)]


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        (
            LineProblem(7, "12a4", Reason.NOT_NUMERIC),
            "line 7: '12a4' is not numeric (digits 0-9 only)",
        ),
        (LineProblem(3, "0", Reason.ZERO), "line 3: '0' is not a seller ID"),
        (LineProblem(4, "", Reason.MISSING), "line 4: the first column has no seller ID"),
        (LineProblem(0, "bad zip", Reason.UNREADABLE), "file: the file cannot be read ('bad zip')"),
    ],
)
def test_problem_messages_read_well(problem, message):
    assert problem.message == message


def test_invisible_characters_show_escaped_in_messages():
    with pytest.raises(SellerIdListError) as caught:
        parse_seller_ids("12\u200b3")
    assert "'12\\u200b3'" in caught.value.problems[0].message


def test_error_summary_counts_problems_and_quotes_the_first():
    with pytest.raises(SellerIdListError) as caught:
        parse_seller_ids("1\nx\ny")
    assert str(caught.value) == (
        "2 problems in the seller ID list; line 2: 'x' is not numeric (digits 0-9 only)"
    )
    assert isinstance(caught.value, ValueError)


def test_problems_kept_are_capped_but_all_are_counted():
    bad_lines = MAX_REPORTED_PROBLEMS + 500
    with pytest.raises(SellerIdListError) as caught:
        parse_seller_ids("1\n" + "x\n" * bad_lines)
    error = caught.value
    assert len(error.problems) == MAX_REPORTED_PROBLEMS
    assert error.problem_count == bad_lines
    assert error.omitted_count == 500
    assert error.problems[-1].line == MAX_REPORTED_PROBLEMS + 1


def test_long_values_are_shortened_in_problems():
    with pytest.raises(SellerIdListError) as caught:
        parse_seller_ids("a" * 100_000)
    assert caught.value.problems[0].value == "a" * 32 + "…"


def test_digits_past_int_conversion_limit_are_too_long_not_a_crash():
    assert problems_of(parse_seller_ids, "7" * 5000) == [(1, "7" * 32 + "…", Reason.TOO_LONG)]


def test_max_digits_is_configurable():
    assert parse_seller_ids("123456", max_digits=6) == [123456]
    assert problems_of(parse_seller_ids, "1234567", max_digits=6) == [
        (1, "1234567", Reason.TOO_LONG)
    ]


# --- CSV ------------------------------------------------------------------------------------


def test_csv_skips_header_and_reads_first_column():
    data = b"seller_id,shop name\n2200001,Shop A\n2200002,Shop B\n"
    assert parse_seller_ids_csv(data) == [2200001, 2200002]


def test_csv_without_header_keeps_first_row():
    assert parse_seller_ids_csv(b"11\n12\n") == [11, 12]


def test_csv_line_numbers_count_header_and_blank_lines():
    data = b"seller_id,name\r\n1,a\r\n\r\n12a,b\r\n1,c\r\n"
    assert problems_of(parse_seller_ids_csv, data) == [
        (4, "12a", Reason.NOT_NUMERIC),
    ]


def test_csv_row_without_first_cell_is_missing():
    data = b"seller_id,name\n1,a\n,b\n"
    assert problems_of(parse_seller_ids_csv, data) == [(3, "", Reason.MISSING)]


def test_csv_line_number_is_where_a_multiline_row_starts():
    data = b'id,note\n1,"two\nlines"\nx,y\n'
    assert problems_of(parse_seller_ids_csv, data) == [(4, "x", Reason.NOT_NUMERIC)]


def test_csv_semicolon_and_tab_delimiters_are_recognised():
    assert parse_seller_ids_csv(b"seller_id;name\n5;a\n6;b\n") == [5, 6]
    assert parse_seller_ids_csv(b"seller_id\tname\n5\ta\n6\tb\n") == [5, 6]


def test_csv_quoted_cells_and_spaces_are_read():
    assert parse_seller_ids_csv(b'"7", x\n" 8 ",y\n') == [7, 8]


def test_csv_utf8_bom_and_gb18030_are_decoded():
    assert parse_seller_ids_csv("\ufeff卖家ID,店铺\n31,一\n".encode()) == [31]
    assert parse_seller_ids_csv("卖家ID,店铺\n32,二\n".encode("gb18030")) == [32]


def test_csv_reads_from_a_stream_and_leaves_it_open():
    stream = io.BytesIO(b"seller_id\n41\n42\n")
    assert parse_seller_ids_csv(stream) == [41, 42]
    assert not stream.closed


class _NonSeekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_csv_non_seekable_stream_of_valid_utf8_is_read():
    assert parse_seller_ids_csv(io.BufferedReader(_NonSeekable(b"id\n51\n"))) == [51]


def test_csv_non_seekable_stream_that_is_not_utf8_reports_the_line():
    # Without seeking there is no second pass in another encoding; the bad bytes become U+FFFD.
    stream = io.BufferedReader(_NonSeekable("id\n51\n名\n".encode("gb18030")))
    error = _csv_error(stream)
    assert [(p.line, p.value, p.reason) for p in error.problems] == [
        (3, "\ufffd\ufffd", Reason.NOT_NUMERIC)
    ]


def test_csv_field_past_the_csv_size_limit_is_unreadable():
    data = b'1\n"' + b"9" * (csv.field_size_limit() + 10) + b'"\n'
    error = _csv_error(data)
    assert [(p.line, p.reason) for p in error.problems] == [(2, Reason.UNREADABLE)]


def _csv_error(source) -> SellerIdListError:
    with pytest.raises(SellerIdListError) as caught:
        parse_seller_ids_csv(source)
    return caught.value


# --- XLSX -----------------------------------------------------------------------------------


def xlsx_bytes(rows: list[list[object]], extra_sheet: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        workbook.create_sheet("other").append([999])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_reads_first_column_of_first_sheet_after_header():
    data = xlsx_bytes([["Seller ID", "Shop"], [2200001, "A"], ["2200002", "B"]], extra_sheet=True)
    assert parse_seller_ids_xlsx(data) == [2200001, 2200002]
    assert parse_seller_ids_xlsx(io.BytesIO(data)) == [2200001, 2200002]


def test_xlsx_row_numbers_count_blank_rows():
    data = xlsx_bytes([["seller_id"], [1], [], ["x"], [1], [None, "note"], [0], [" 7 "]])
    assert problems_of(parse_seller_ids_xlsx, data) == [
        (4, "x", Reason.NOT_NUMERIC),
        (6, "", Reason.MISSING),
        (7, "0", Reason.ZERO),
    ]


def test_xlsx_cell_types_that_are_not_ids():
    data = xlsx_bytes([[1.5], [True], [datetime.date(2024, 1, 2)], [-5], [1e17]])
    assert problems_of(parse_seller_ids_xlsx, data) == [
        (1, "1.5", Reason.NOT_NUMERIC),
        (2, "True", Reason.NOT_NUMERIC),
        (3, "2024-01-02 00:00:00", Reason.NOT_NUMERIC),
        (4, "-5", Reason.NOT_NUMERIC),
        (5, "1e+17", Reason.NOT_EXACT),
    ]


def test_xlsx_whole_number_stored_as_float_is_accepted():
    data = _rewrite_sheet(xlsx_bytes([[123456]]), b"<v>123456</v>", b"<v>123456.0</v>")
    assert parse_seller_ids_xlsx(data) == [123456]


def _rewrite_sheet(data: bytes, old: bytes, new: bytes) -> bytes:
    """Some tools write whole numbers as "123.0"; openpyxl never does, so patch its XML."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as rewritten:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert old in content
                content = content.replace(old, new)
            rewritten.writestr(item, content)
    return target.getvalue()


@pytest.mark.parametrize(
    "data",
    [b"not a workbook", xlsx_bytes([[1]])[:300], b"PK\x03\x04" + b"\0" * 100],
)
def test_xlsx_damaged_file_is_unreadable(data):
    with pytest.raises(SellerIdListError) as caught:
        parse_seller_ids_xlsx(data)
    (problem,) = caught.value.problems
    assert (problem.line, problem.reason) == (0, Reason.UNREADABLE)
    assert problem.message.startswith("file: the file cannot be read")


def test_xlsx_empty_sheet_is_an_empty_list():
    assert parse_seller_ids_xlsx(xlsx_bytes([])) == []


# --- diff and canonical form ----------------------------------------------------------------


def test_diff_lists_added_and_removed_sorted():
    diff = diff_seller_ids(in_force=[5, 1, 3, 9], proposed=[9, 4, 1, 2])
    assert diff == SellerIdDiff(added=[2, 4], removed=[3, 5], unchanged_count=2)
    assert not diff.is_empty


def test_diff_of_same_list_is_empty():
    diff = diff_seller_ids([3, 2, 1], (1, 2, 3))
    assert diff == SellerIdDiff(added=[], removed=[], unchanged_count=3)
    assert diff.is_empty


def test_diff_from_nothing_adds_everything():
    assert diff_seller_ids([], [8, 7]) == SellerIdDiff([7, 8], [], 0)


def test_canonical_bytes_are_sorted_unique_lines():
    assert canonical_bytes([30, 2, 100, 2]) == b"2\n30\n100\n"
    assert canonical_bytes([]) == b""


def test_canonical_sha256_is_sha256_of_canonical_bytes():
    assert canonical_sha256([2, 1]) == hashlib.sha256(b"1\n2\n").hexdigest()
    assert canonical_sha256([]) == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("ids", [[0, 5], [5, -1]])
def test_canonical_bytes_refuses_non_positive_ids(ids):
    with pytest.raises(ValueError, match="positive"):
        canonical_bytes(ids)


# --- properties -----------------------------------------------------------------------------

seller_ids = st.integers(min_value=1, max_value=10**20 - 1)
messy_text = st.text(
    alphabet=st.sampled_from("0123456789 ,;，\n\r\t\u2028\x85\ufeff１a-+_.") | st.characters(),
    max_size=200,
)


@FAST_PROPERTIES
@given(messy_text)
def test_any_text_gives_ids_or_a_list_error(text):
    try:
        ids = parse_seller_ids(text)
    except SellerIdListError as error:
        assert error.problems
        assert all(problem.line >= 1 for problem in error.problems)
    else:
        assert all(isinstance(seller_id, int) and seller_id > 0 for seller_id in ids)
        assert len(set(ids)) == len(ids)


@FAST_PROPERTIES
@given(messy_text)
def test_fast_and_line_by_line_paths_agree(text):
    """A bad last line forces the line-by-line path; it must see what the fast path saw."""
    extended = text + "\nnot-an-id"
    last_line = len(extended.splitlines())
    try:
        parse_seller_ids(text)
        before = []
    except SellerIdListError as error:
        before = error.problems
    after = _problems(extended)
    assert after == [*before, LineProblem(last_line, "not-an-id", Reason.NOT_NUMERIC)]


def _problems(text: str) -> list[LineProblem]:
    with pytest.raises(SellerIdListError) as caught:
        parse_seller_ids(text)
    return caught.value.problems


BAD_VALUES = {
    "12a4": Reason.NOT_NUMERIC,
    "１２": Reason.NOT_NUMERIC,
    "-3": Reason.NOT_NUMERIC,
    "1" * 21: Reason.TOO_LONG,
    "0": Reason.ZERO,
    "0042": Reason.LEADING_ZERO,
}
injected_values = st.sampled_from([*BAD_VALUES, None])  # None: repeat the first ID


@FAST_PROPERTIES
@given(
    ids=st.lists(seller_ids, min_size=1, max_size=60, unique=True),
    injected=st.lists(st.tuples(st.integers(min_value=0), injected_values), max_size=12),
    blank_every=st.integers(min_value=2, max_value=9),
)
def test_injected_bad_lines_are_reported_at_their_lines(ids, injected, blank_every):
    lines = [str(seller_id) for seller_id in ids]
    for offset, value in injected:
        position = 1 + offset % len(lines)  # after the first ID, which stays on line 1
        lines.insert(position, lines[0] if value is None else value)
    lines = _with_blank_lines(lines, blank_every)
    expected = _expected_problems(lines)
    if expected:
        assert [(p.line, p.reason) for p in _problems("\n".join(lines))] == expected
    else:
        assert parse_seller_ids("\n".join(lines)) == ids


def _with_blank_lines(lines: list[str], every: int) -> list[str]:
    spaced: list[str] = []
    for index, line in enumerate(lines):
        if index % every == every - 1:
            spaced.append("  ")
        spaced.append(line)
    return spaced


def _expected_problems(lines: list[str]) -> list[tuple[int, Reason]]:
    expected = []
    for number, line in enumerate(lines, 1):
        if line in BAD_VALUES:
            expected.append((number, BAD_VALUES[line]))
    return expected


@FAST_PROPERTIES
@given(
    ids=st.lists(seller_ids, max_size=80, unique=True),
    separators=st.lists(st.sampled_from(["\n", "\r\n", ",", ", ", ";", "\t", " "]), min_size=1),
    trailing=st.sampled_from(["", "\n", "\r\n"]),
)
def test_valid_lists_round_trip(ids, separators, trailing):
    text = "".join(
        str(seller_id) + separators[index % len(separators)] for index, seller_id in enumerate(ids)
    )
    assert parse_seller_ids(text + trailing) == ids
    assert parse_seller_ids("\n".join(map(str, ids))) == ids


@FAST_PROPERTIES
@given(ids=st.lists(seller_ids, max_size=80, unique=True), header=st.booleans())
def test_csv_round_trip(ids, header):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(["seller_id", "shop"])
    writer.writerows([seller_id, f"shop {seller_id}"] for seller_id in ids)
    assert parse_seller_ids_csv(buffer.getvalue().encode()) == ids


@FAST_PROPERTIES
@given(in_force=st.lists(seller_ids, max_size=60), proposed=st.lists(seller_ids, max_size=60))
def test_diff_applied_to_list_in_force_gives_proposal(in_force, proposed):
    diff = diff_seller_ids(in_force, proposed)
    assert (set(in_force) | set(diff.added)) - set(diff.removed) == set(proposed)
    assert diff.added == sorted(set(diff.added))
    assert diff.removed == sorted(set(diff.removed))
    assert not set(diff.added) & set(in_force)
    assert diff.unchanged_count == len(set(in_force) & set(proposed))


@FAST_PROPERTIES
@given(st.lists(seller_ids, max_size=60), st.randoms(use_true_random=False))
def test_canonical_form_ignores_order_and_repeats(ids, rng):
    shuffled = ids + ids[:3]
    rng.shuffle(shuffled)
    assert canonical_bytes(shuffled) == canonical_bytes(ids)
    assert canonical_sha256(shuffled) == canonical_sha256(ids)
    assert parse_seller_ids(canonical_bytes(ids).decode()) == sorted(set(ids))


@FAST_PROPERTIES
@given(
    st.binary(max_size=200)
    | messy_text.map(lambda text: text.encode("utf-8", "surrogatepass"))
    | messy_text.map(lambda text: text.encode("gb18030", "replace"))
)
def test_any_csv_bytes_give_ids_or_a_list_error(data):
    try:
        ids = parse_seller_ids_csv(data)
    except SellerIdListError as error:
        assert error.problems
    else:
        assert all(isinstance(seller_id, int) and seller_id > 0 for seller_id in ids)
        assert len(set(ids)) == len(ids)
