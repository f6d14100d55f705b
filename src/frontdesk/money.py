"""Money is exact: integer minor units, per-currency precision from Babel."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies

# The ISO codes for "no currency" and for testing are not money to sell in.
_KNOWN_CURRENCIES = frozenset(list_currencies()) - {"XXX", "XTS"}
# Whole units below 10^12: exact in a 64-bit column in every currency.
MAX_DIGITS = 12


class MoneyError(ValueError):
    """An amount or a currency that cannot be taken as money."""


def currency_precision(currency: str) -> int:
    return int(get_currency_precision(currency))


def check_currency(currency: str) -> str:
    code = currency.upper()
    if code not in _KNOWN_CURRENCIES:
        raise MoneyError(f"{currency!r} is not an ISO 4217 currency")
    return code


@dataclass(frozen=True, order=True)
class Money:
    minor: int
    currency: str

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Read a decimal string; more decimals than the currency has is an error."""
        code = check_currency(currency)
        try:
            value = Decimal(str(amount))
        except InvalidOperation as exc:
            raise MoneyError(f"{amount!r} is not a decimal amount") from exc
        if not value.is_finite():
            raise MoneyError(f"{amount!r} is not a finite amount")
        if value != 0 and value.adjusted() >= MAX_DIGITS:
            raise MoneyError(f"{amount} is larger than Frontdesk takes")
        scaled = value.scaleb(currency_precision(code))
        if scaled != scaled.to_integral_value():
            raise MoneyError(
                f"{amount} has more decimals than {code} allows "
                f"({currency_precision(code)})"
            )
        return cls(int(scaled), code)

    @property
    def decimal(self) -> Decimal:
        places = currency_precision(self.currency)
        return Decimal(self.minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))

    def amount_string(self) -> str:
        return str(self.decimal)

    def formatted(self, locale: str = "en_US") -> str:
        return str(format_currency(self.decimal, self.currency, locale=locale))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def times(self, count: int) -> Money:
        return Money(self.minor * count, self.currency)

    def is_zero(self) -> bool:
        return self.minor == 0
