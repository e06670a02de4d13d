import datetime as dt

from django.utils import timezone

from agreements.models import Agency
from audit.forms import DateRangeForm
from isa_portal.forms import ListedModelChoiceField
from reports.registry import ReportScope

DEFAULT_MONTHS = 12


class ReportFilterForm(DateRangeForm):
    """Dates for everyone; the agency only for those who see the whole partnership. Written out in
    GOV.UK markup by includes/filter_fields.html, as the other filter forms are, not through crispy."""

    submit_label = "Show figures"
    field_order = ["agency", "date_from", "date_to"]

    agency = ListedModelChoiceField(
        label="Agency",
        queryset=Agency.objects.only("name"),
        required=False,
        empty_label="Every agency",
        error_messages={"invalid_choice": "Select an agency from the list"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.partnership_wide:
            del self.fields["agency"]  # a lead or an agency IG officer sees their own agency only

    def scope(self) -> ReportScope:
        """The period asked for (by default the last twelve months to today) and the agencies."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        zone = timezone.get_current_timezone()
        today = timezone.localdate()
        end_date = data.get("date_to") or today
        start_date = data.get("date_from") or _months_before(end_date.replace(day=1), DEFAULT_MONTHS - 1)
        agency = data.get("agency")
        if not self.user.partnership_wide:
            agency_ids = frozenset({self.user.agency_id})
        else:
            agency_ids = frozenset({agency.pk}) if agency else None
        return ReportScope(
            start=dt.datetime.combine(start_date, dt.time.min, zone),
            end=dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time.min, zone),
            agency_ids=agency_ids,
        )


def _months_before(first_of_month: dt.date, months: int) -> dt.date:
    year, month = divmod(first_of_month.year * 12 + first_of_month.month - 1 - months, 12)
    return dt.date(year, month + 1, 1)
