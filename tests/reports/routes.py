from tests.url_matrix import Route, allow

REPORT_READERS = ("lead", "ig_officer", "partnership_ig")

ROUTES = {
    "reports:index": Route(allow(*REPORT_READERS)),
    "reports:download": Route(
        allow(*REPORT_READERS), kwargs=lambda personas: {"key": "sign_ins", "fmt": "csv"}
    ),
}
