"""How the register matches names (SPEC § 2): case, spacing, punctuation and legal-form suffixes ignored."""

import pytest

from agreements.party_matching import PartyRef, normalise_name


@pytest.mark.parametrize(
    ("name", "key"),
    [
        pytest.param("Pune Research Institute", "puneresearchinstitute", id="plain"),
        pytest.param("PUNE RESEARCH INSTITUTE PVT. LTD.", "puneresearchinstitute", id="pvt-ltd"),
        pytest.param("Pune Research Institute Private Limited", "puneresearchinstitute", id="private-limited"),
        pytest.param("Pune  Research,   Institute Pvt.", "puneresearchinstitute", id="spacing-punctuation"),
        pytest.param("Gulf Compute Ltd", "gulfcompute", id="ltd"),
        pytest.param("Gulf Compute Limited", "gulfcompute", id="limited"),
        pytest.param("Gulf Compute LLC", "gulfcompute", id="llc"),
        pytest.param("Gulf Compute, L.L.C.", "gulfcompute", id="l.l.c."),
        pytest.param("Gulf Compute Inc.", "gulfcompute", id="inc"),
        pytest.param("Gulf Compute Incorporated", "gulfcompute", id="incorporated"),
        pytest.param("Gulf Compute Corp.", "gulfcompute", id="corp"),
        pytest.param("Gulf Compute Corporation", "gulfcompute", id="corporation"),
        pytest.param("Gulf Compute Co.", "gulfcompute", id="co"),
        pytest.param("Gulf Compute Company", "gulfcompute", id="company"),
        pytest.param("Gulf Compute PLC", "gulfcompute", id="plc"),
        pytest.param("Gulf Compute GmbH", "gulfcompute", id="gmbh"),
        pytest.param("Gulf Compute AG", "gulfcompute", id="ag"),
        pytest.param("Gulf Compute SA", "gulfcompute", id="sa"),
        pytest.param("Gulf Compute S.A.", "gulfcompute", id="s.a."),
        pytest.param("Gulf Compute SAS", "gulfcompute", id="sas"),
        pytest.param("Gulf Compute B.V.", "gulfcompute", id="bv"),
        pytest.param("Gulf Compute N.V.", "gulfcompute", id="nv"),
        pytest.param("Gulf Compute K.K.", "gulfcompute", id="kk"),
        pytest.param("Gulf Compute PJSC", "gulfcompute", id="pjsc"),
        pytest.param("Gulf Compute JSC", "gulfcompute", id="jsc"),
        pytest.param("Gulf Compute FZ-LLC", "gulfcompute", id="fz-llc"),
        pytest.param("Gulf Compute FZE", "gulfcompute", id="fze"),
        pytest.param("Shenzhen Compute Co.,Ltd.", "shenzhencompute", id="co-ltd-no-space"),
        pytest.param("Société Générale S.A.", "societegenerale", id="accents"),
        pytest.param("Company Limited", "company", id="never-the-last-token"),
        pytest.param("Coherent Compute", "coherentcompute", id="suffix-inside-a-word-kept"),
        pytest.param("Co Compute", "cocompute", id="leading-suffix-kept"),
        pytest.param("G42", "g42", id="digits"),
        pytest.param("", "", id="empty"),
    ],
)
def test_names_match_whatever_their_case_spacing_punctuation_and_legal_form(name, key):
    assert normalise_name(name) == key


def test_a_bare_name_is_located_in_the_destination_and_headquartered_there():
    ref = PartyRef.coerce("Falcon Compute").located("QA")
    assert (ref.country, ref.headquarters) == ("QA", "QA")


def test_details_keep_their_own_country_and_headquarters():
    ref = PartyRef.coerce({"name": "Lion City Compute", "country": "my", "hq_country": "CN"}).located("SG")
    assert (ref.country, ref.headquarters) == ("MY", "CN")


def test_a_hyphen_separates_words_so_a_hyphenated_suffix_still_goes():
    assert normalise_name("Small-Co") == normalise_name("Small Co.") == "small"
    assert normalise_name("Al-Futtaim Compute") == "alfuttaimcompute"
