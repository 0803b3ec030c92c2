from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = "Licensing: catalogue, applications and licences"

    def ready(self) -> None:
        # Agreements never imports licensing; it asks registered providers for pending demand and impact.
        from agreements.selectors import register_demand_provider, register_impact_provider
        from licensing.selectors import pending_demand, policy_impact_rows

        register_demand_provider(pending_demand)
        register_impact_provider(policy_impact_rows)
