from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Information-sharing decisions"

    def ready(self) -> None:
        from consent.chronology import register_source
        from decisions.selectors import chronology_entries

        register_source(chronology_entries)
