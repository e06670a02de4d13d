from django.core.exceptions import ValidationError


def normalise_nhs_number(value: str) -> str:
    return "".join(ch for ch in value if not ch.isspace() and ch != "-")


def validate_nhs_number(value: str) -> None:
    """An NHS number is ten digits whose last is a modulus-11 check digit."""
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        raise ValidationError("Enter an NHS number with 10 digits, like 943 476 5919", code="format")
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10 or check != int(digits[9]):
        raise ValidationError(
            "Enter a valid NHS number: the one entered fails its check digit", code="check_digit"
        )
