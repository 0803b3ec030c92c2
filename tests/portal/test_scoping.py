"""Scope decided once (portal.scoping): every scoped model answers `restrict(user, "view")` from its declared
Scope, and the API, the admin, the exporter pages and the services all get the same rows from it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.choices import AgreementStatus
from agreements.models import Agreement, Allotment, Country
from licensing import services
from licensing.models import Application, Licence, LppNotification
from portal import scoping
from tests.agreements.factories import make_agreement
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

ACME, RIVAL = "Acme AI Systems Inc.", "Rival Chips Ltd"


def visible(model, user) -> set[int]:
    return set(model.objects.restrict(user, "view").values_list("pk", flat=True))


@pytest.fixture
def cases():
    """A draft and a case referred to Defense (Acme), a plain submitted case (Rival); a licence and an LPP
    notification each."""
    acme, rival = make_user("exporter", organisation=ACME), make_user("exporter", organisation=RIVAL)
    return {
        "acme": acme,
        "rival": rival,
        "draft": f.draft(acme),
        "referred": f.referred(acme, agencies=("defense",), consignee="Second Lab"),
        "theirs": f.submitted(rival, consignee="Rival Lab"),
        "acme_licence": f.licence(acme, consignee="Third Lab"),
        "rival_licence": f.licence(rival, consignee="Fourth Lab"),
        "acme_notice": f.notify(acme),
        "rival_notice": f.notify(rival, consignee="Rival Co"),
    }


def test_exporters_see_their_organisations_records_drafts_included(cases):
    acme = cases["acme"]
    assert visible(Application, acme) == {cases["draft"].pk, cases["referred"].pk, cases["acme_licence"].application_id}
    assert visible(Licence, acme) == {cases["acme_licence"].pk}
    assert visible(LppNotification, acme) == {cases["acme_notice"].pk}
    assert visible(Agreement, acme) == visible(Allotment, acme) == set()


def test_staff_see_every_sent_case_but_no_draft(cases):
    officer = make_user("licensing_officer")
    sent = {cases[key].pk for key in ("referred", "theirs")} | {
        cases[key].application_id for key in ("acme_licence", "rival_licence")
    }
    assert visible(Application, officer) == sent
    assert visible(Licence, officer) == {cases["acme_licence"].pk, cases["rival_licence"].pk}
    assert visible(LppNotification, officer) == {cases["acme_notice"].pk, cases["rival_notice"].pk}
    assert scoping.is_insider(officer, Application)


def test_agency_reviewers_see_only_what_was_referred_to_their_agency(cases):
    defense = make_user("agency_reviewer", agency="defense")
    state = make_user("agency_reviewer", agency="state")
    assert visible(Application, defense) == {cases["referred"].pk}
    assert visible(Application, state) == set()
    assert visible(Licence, defense) == visible(LppNotification, defense) == set()
    assert not scoping.is_insider(defense, Application)  # holds view_application, yet confined to referrals


def test_an_exporter_who_is_also_staff_gets_both_scopes():
    own_draft, theirs = f.draft(make_user("exporter", organisation=ACME)), f.submitted(make_user("exporter"))
    both = make_user("exporter", "approving_official", organisation=ACME)
    assert visible(Application, both) == {own_draft.pk, theirs.pk}  # their organisation's draft, every sent case


def test_policy_side_records_are_for_holders_of_their_view_permission():
    agreement = make_agreement(AgreementStatus.IN_FORCE)
    allotments = set(Allotment.objects.values_list("pk", flat=True))
    for role in ("negotiator", "licensing_officer", "approving_official", "policy_admin"):
        user = make_user(role)
        assert visible(Agreement, user) == {agreement.pk}, role
        assert visible(Allotment, user) == allotments, role
    for role in ("exporter", "agency_reviewer"):
        user = make_user(role)
        assert visible(Agreement, user) == visible(Allotment, user) == set(), role


def _superuser(username="root"):
    return get_user_model().objects.create_superuser(username=username, password="a-strong-test-password")


def test_a_superuser_without_a_role_sees_nothing_anywhere(cases):
    make_agreement(AgreementStatus.IN_FORCE)
    root = _superuser()
    for model in (Application, Licence, LppNotification, Agreement, Allotment):
        assert visible(model, root) == set(), model.__name__
    admin = Client()
    admin.force_login(root)
    for name in ("licensing_application", "licensing_licence", "agreements_agreement", "agreements_allotment"):
        page = admin.get(reverse(f"admin:{name}_changelist"))
        assert page.status_code == 200, name
        assert page.context["cl"].result_count == 0, name  # the admin asks the same choke point: no bypass
    api = APIClient()
    api.force_authenticate(root)
    assert api.get("/api/v1/applications/").status_code == 403
    assert api.get("/api/v1/agreements/").status_code == 403


def test_a_superuser_with_a_role_sees_what_the_role_sees():
    f.submitted()
    root = _superuser()
    root.groups.add(*make_user("licensing_officer").groups.all())
    officer = make_user("licensing_officer")
    assert visible(Application, root) == visible(Application, officer) != set()


def test_anonymous_and_inactive_users_see_nothing():
    f.submitted()
    inactive = make_user("licensing_officer")
    inactive.is_active = False
    assert visible(Application, AnonymousUser()) == visible(Application, inactive) == set()


def test_the_services_read_through_the_same_scope():
    """A service handed a record outside its actor's scope cannot reach it: it does not exist for them."""
    draft = f.draft(make_user("exporter", organisation=ACME))
    with pytest.raises(Application.DoesNotExist):
        services.application_submit(
            actor=make_user("exporter", organisation=RIVAL), application=draft, declaration=True
        )
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_exporter_pages_read_through_the_same_scope():
    acme = make_user("exporter", organisation=ACME)
    draft = f.draft(acme)
    page = Client()
    page.force_login(make_user("exporter", organisation=RIVAL))
    assert page.get(reverse("exporter:application", args=[draft.pk])).status_code == 404
    page.force_login(acme)
    assert page.get(reverse("exporter:application", args=[draft.pk])).status_code == 200


def test_only_declared_models_and_known_actions_can_be_restricted():
    with pytest.raises(TypeError, match="declares no Scope"):
        scoping.restrict(Country.objects.all(), make_user("policy_admin"))
    with pytest.raises(ValueError, match="Unknown scope action"):
        Application.objects.restrict(make_user("licensing_officer"), "delete")
