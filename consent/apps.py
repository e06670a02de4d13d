from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Children, consent and competence"

    def ready(self) -> None:
        from consent import sources  # noqa: F401  (registers the chronology sources)
