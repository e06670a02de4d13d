from django.apps import AppConfig


class IsaPortalConfig(AppConfig):
    name = "isa_portal"
    verbose_name = "ISA Portal"

    def ready(self) -> None:
        from isa_portal import transactions  # noqa: F401  (registers its system check)
