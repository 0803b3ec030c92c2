import pytest
from django.contrib.auth.models import Group

from portal.choices import Role
from portal.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_exactly_its_permissions():
    for role in Role:
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert granted == set(ROLE_PERMISSIONS[role]), role


def test_only_the_policy_admin_may_switch_the_regime():
    holders = Group.objects.filter(permissions__codename="switch_policy").values_list("name", flat=True)
    assert list(holders) == [Role.POLICY_ADMIN]
