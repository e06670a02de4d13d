from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from decisions.signals import decision_submitted
        from reports import decision_figures, figures  # noqa: F401  (register the figures)
        from reports.rollups import count_submitted

        decision_submitted.connect(count_submitted, dispatch_uid="reports_count_submitted")
