"""Card checks made before any provider is asked."""

from datetime import date

from boxoffice.domain.payments.cards import cvc_ok, expiry_problem, luhn_ok, normalize_number


def test_the_test_cards_pass_luhn_and_a_changed_digit_does_not():
    for number in ("4242424242424242", "4000000000000002", "4000000000009995"):
        assert luhn_ok(number)
    assert not luhn_ok("4242424242424241")
    assert not luhn_ok("42424242")
    assert not luhn_ok("4242x24242424242")


def test_spaces_and_dashes_are_ignored_in_card_numbers():
    assert normalize_number("4242 4242-4242 4242") == "4242424242424242"


def test_a_card_is_valid_through_its_expiry_month_and_not_after():
    today = date(2030, 5, 17)
    assert expiry_problem("05/30", today) is None
    assert expiry_problem("04/30", today) == "card has expired"
    assert expiry_problem("13/31", today) == "month must be 01-12"
    assert expiry_problem("5/30", today) == "must be MM/YY"


def test_cvc_is_three_or_four_digits():
    assert cvc_ok("123") and cvc_ok("1234")
    assert not cvc_ok("12") and not cvc_ok("12345") and not cvc_ok("12a")
