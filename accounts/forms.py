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

    def confirm_login_allowed(self, user) -> None:
        """Asked only once the password is right, so the answer tells a stranger nothing."""
        super().confirm_login_allowed(user)
        from accounts import oidc

        if not oidc.password_sign_in_allowed(user):
            oidc.record_password_refused(user)
            raise forms.ValidationError(oidc.password_refusal(user), code="password_sign_in_off")


class ResetRequestForm(GOVUKFormMixin, PasswordResetForm):
    submit_label = "Send the link"

    def get_users(self, email: str):
        """Active people with this email, including those invited who have not chosen a password yet.

        (Django leaves out accounts without a usable password; here that only
        means an invitation whose link has expired.)
        """
        from accounts.models import User

        return User.objects.filter(email__iexact=email.strip(), is_active=True).select_related("agency")

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs) -> None:
        """Someone whose agency signs in only through single sign-on has no password to reset: the
        email says how they sign in instead (the page says the same whoever asks)."""
        from accounts import oidc

        if not oidc.password_sign_in_allowed(context["user"]):
            context = {**context, "how": oidc.password_refusal(context["user"])}
            subject_template_name = "accounts/email/password_reset_sso_subject.txt"
            email_template_name = "accounts/email/password_reset_sso.txt"
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)

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
        self.fields[
            "new_password1"
        ].help_text = "At least 12 characters. A few unrelated words make a strong password."
        self.fields["new_password2"].label = "Type the new password again"
        self.fields["new_password1"].error_messages = {"required": "Enter a new password"}
        self.fields["new_password2"].error_messages = {"required": "Type the new password again"}
        self.error_messages = {"password_mismatch": "The two passwords do not match"}


class EmptyForm(forms.Form):
    """For POST-only actions with no fields: CSRF is the only input."""


class SecondFactorForm(GOVUKFormMixin, forms.Form):
    """The code from the authenticator app, or one backup code."""

    submit_label = "Continue"
    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code your authenticator app shows now, or one of your backup codes.",
        max_length=32,
        error_messages={
            "required": "Enter the code from your authenticator app",
            "max_length": "The code must be 32 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.helper.layout = Layout(Field.text("code", field_width=Fluid.ONE_THIRD))

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class NewBackupCodesForm(GOVUKFormMixin, forms.Form):
    """Making a new set of backup codes asks for the password again."""

    submit_label = "Make new backup codes"
    password = forms.CharField(
        label="Your password",
        help_text="The password you sign in with.",
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password", "max_length": "Enter your password"},
    )

    def __init__(self, *args, ask_password: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_password:  # single sign-on only: a recent sign-in stands in for it
            del self.fields["password"]
            self.helper.layout = Layout()
        else:
            self.helper.layout = Layout(Field.text("password", field_width=Fluid.TWO_THIRDS))


class GrantDecisionForm(GOVUKFormMixin, forms.Form):
    submit_label = "Save decision"
    decision = forms.ChoiceField(
        label="Do you approve this access?",
        widget=forms.RadioSelect,
        choices=[("approve", "Yes, approve it"), ("refuse", "No, refuse it")],
        error_messages={
            "required": "Select whether you approve this access",
            "invalid_choice": "Select whether you approve this access",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("decision", legend_size="m"))


class SetUpAppForm(SecondFactorForm):
    submit_label = "Turn on two-step sign-in"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from the app"
        self.fields["code"].help_text = "The 6-digit code the app shows after you scan the QR code."
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


class AddAppForm(SetUpAppForm):
    """Adding an authenticator app from the security page: once signed in, the password again, as
    adding a passkey asks it."""

    submit_label = "Add authenticator app"
    password = NewBackupCodesForm.base_fields["password"]

    def __init__(self, *args, ask_password: bool, **kwargs):
        super().__init__(*args, **kwargs)
        fields = [Field.text("code", field_width=Fluid.ONE_THIRD)]
        if ask_password:
            fields.append(Field.text("password", field_width=Fluid.TWO_THIRDS))
        else:  # single sign-on only: a recent sign-in stands in for it
            del self.fields["password"]
        self.helper.layout = Layout(*fields)


class UserForm(GOVUKFormMixin, forms.Form):
    """A person's details, agency and role, as an administrator sets them."""

    submit_label = "Save"
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={
            "required": "Enter the person's full name",
            "max_length": "Name must be 150 characters or fewer",
        },
    )
    job_title = forms.CharField(
        label="Job title",
        max_length=150,
        required=False,
        error_messages={"max_length": "Job title must be 150 characters or fewer"},
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=None,
        required=False,
        empty_label="Select an agency",
        error_messages={"invalid_choice": "Select an agency from the list"},
    )
    role = forms.ChoiceField(
        label="Role",
        widget=forms.RadioSelect,
        choices=[],
        error_messages={"required": "Select a role", "invalid_choice": "Select a role"},
    )
    partnership_wide = forms.BooleanField(
        label="Works across the whole partnership (IG officers and administrators only)",
        required=False,
    )

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Role
        from agreements.models import Agency

        self.fields["role"].choices = Role.choices
        agencies = Agency.objects.all()
        if not by.partnership_wide:
            agencies = agencies.filter(pk=by.agency_id)
            del self.fields["partnership_wide"]
        self.fields["agency"].queryset = agencies
        fields = [
            Field.text("full_name", field_width=Fluid.TWO_THIRDS),
            Field.text("job_title", field_width=Fluid.TWO_THIRDS),
            Field.select("agency"),
            Field.radios("role", legend_size="s"),
        ]
        if "partnership_wide" in self.fields:
            fields.append(Field.checkbox("partnership_wide"))
        self.helper.layout = Layout(*fields)


class UserInviteForm(UserForm):
    submit_label = "Send the invitation"
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.insert(0, Field.text("email", field_width=Fluid.TWO_THIRDS))
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class UserEditForm(UserForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.append("lock_version")


class PasskeyNameForm(GOVUKFormMixin, forms.Form):
    """Naming a new passkey; once signed in, adding one asks for the password again."""

    name = forms.CharField(
        label="Name your passkey",
        help_text="So you can tell your passkeys apart, for example: Work laptop, or Blue security key.",
        max_length=64,
        error_messages={
            "required": "Enter a name for your passkey",
            "max_length": "The name must be 64 characters or fewer",
        },
    )
    password = forms.CharField(
        label="Your password",
        help_text="The password you sign in with.",
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password", "max_length": "Enter your password"},
    )

    def __init__(self, *args, ask_password: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_password:
            del self.fields["password"]
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper.layout = Layout(
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            *([Field.text("password", field_width=Fluid.TWO_THIRDS)] if ask_password else []),
        )
