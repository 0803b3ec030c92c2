from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = "Licensing: catalogue, applications and licences"

    def ready(self) -> None:
        # Agreements never imports licensing; it asks registered providers for pending demand and impact.
        from agreements.party_services import register_merge_mover
        from agreements.selectors import (
            register_demand_provider,
            register_impact_provider,
            register_party_scope_provider,
        )
        from licensing.selectors import parties_on_filings, pending_demand, policy_impact_rows
        from licensing.services.parties import party_history_move

        register_demand_provider(pending_demand)
        register_impact_provider(policy_impact_rows)
        register_party_scope_provider(parties_on_filings)
        register_merge_mover(party_history_move)
