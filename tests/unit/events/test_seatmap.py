from boxoffice.domain.venues.seatmap import ROW_PITCH, SEAT_PITCH, categories, layout, seat_total

SECTIONS = [
    {
        "name": "Stalls",
        "rows": [
            {"label": "A", "seat_count": 4, "category": "premium"},
            {"label": "B", "seat_count": 6, "category": "standard"},
        ],
    },
    {"name": "Balcony", "rows": [{"label": "C", "seat_count": 2, "category": "standard"}]},
]


def test_seats_are_labelled_row_dash_number_in_order():
    seats = list(layout(SECTIONS))
    assert [s.label for s in seats[:5]] == ["A-1", "A-2", "A-3", "A-4", "B-1"]
    assert len(seats) == seat_total(SECTIONS) == 12
    assert {s.label for s in seats} == {f"{r}-{n}" for r, c in (("A", 4), ("B", 6), ("C", 2)) for n in range(1, c + 1)}


def test_seats_keep_section_row_number_and_category():
    c2 = next(s for s in layout(SECTIONS) if s.label == "C-2")
    assert (c2.section, c2.row, c2.number, c2.category) == ("Balcony", "C", 2, "standard")


def test_rows_are_centred_on_the_widest_row_and_seats_evenly_spaced():
    seats = list(layout(SECTIONS))
    rows = {r: [s.x for s in seats if s.row == r] for r in "ABC"}
    centres = {r: (min(xs) + max(xs)) / 2 for r, xs in rows.items()}
    assert centres["A"] == centres["B"] == centres["C"]
    assert all(b - a == SEAT_PITCH for a, b in zip(rows["B"], rows["B"][1:], strict=False))


def test_rows_go_down_and_sections_are_separated_by_a_gap():
    seats = {s.row: s.y for s in layout(SECTIONS)}
    assert seats["B"] - seats["A"] == ROW_PITCH
    assert seats["C"] - seats["B"] > ROW_PITCH


def test_no_two_seats_share_a_position():
    seats = list(layout(SECTIONS))
    assert len({(s.x, s.y) for s in seats}) == len(seats)


def test_categories_are_those_of_the_rows():
    assert categories(SECTIONS) == {"premium", "standard"}
