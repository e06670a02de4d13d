from crispy_forms_gds.layout import Field, Fluid, Layout
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.validators import MaxLengthValidator

from isa_portal.forms import GOVUKFormMixin


class SignInForm(GOVUKFormMixin, AuthenticationForm):
    """Django's sign-in form (fields ``username`` and ``password``) in GOV.UK dress."""

    submit_label = "Sign in"
    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account has been turned off. Contact your administrator.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].max_length = 254
        self.fields["username"].validators.append(MaxLengthValidator(254))
        self.fields["username"].error_messages = {
            "required": "Enter your email address",
            "max_length": "Email address must be 254 characters or fewer",
        }
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "email", "spellcheck": "false", "autofocus": False}
        )
        self.fields["password"].error_messages = {"required": "Enter your password"}
        self.fields["password"].max_length = 4096
        self.helper.layout = Layout(
            Field.text("username", field_width=Fluid.TWO_THIRDS),
            Field.text("password", field_width=Fluid.TWO_THIRDS),
        )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class ResetRequestForm(GOVUKFormMixin, PasswordResetForm):
    submit_label = "Send the link"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages = {
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        }


class ChooseNewPasswordForm(GOVUKFormMixin, SetPasswordForm):
    submit_label = "Save new password"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = (
            "At least 12 characters. A few unrelated words make a strong password."
        )
        self.fields["new_password2"].label = "Type the new password again"
        self.fields["new_password1"].error_messages = {"required": "Enter a new password"}
        self.fields["new_password2"].error_messages = {"required": "Type the new password again"}
        self.error_messages = {"password_mismatch": "The two passwords do not match"}


class EmptyForm(forms.Form):
    """For POST-only actions with no fields: CSRF is the only input."""
