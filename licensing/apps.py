from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = "Licensing: catalogue, applications and licences"

    def ready(self) -> None:
        from agreements.party_services import register_merge_mover
        from agreements.selectors import register_party_scope_provider
        from licensing.selectors import parties_on_filings
        from licensing.services.parties import party_history_move

        register_party_scope_provider(parties_on_filings)
        register_merge_mover(party_history_move)
