from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agencies and agreements"

    def ready(self) -> None:
        from agreements import reports  # noqa: F401  (registers the agreement figures on /reports/)
