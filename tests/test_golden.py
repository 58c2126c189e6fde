"""Golden page images of the handout, one per language and page, at low resolution."""
import pytest

from tests.conftest import render
from tests.golden_images import assert_matches_golden


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
@pytest.mark.parametrize("page", [0, 1])
def test_handout_pages_match_golden(make_job, request, locale, page):
    pdf = render(make_job(locale=locale))
    assert_matches_golden(pdf, f"handout-{locale}-p{page + 1}", page=page,
                          config=request.config)


def test_a_changed_page_is_caught(make_job, request):
    """The comparison itself must fail on a real change: another wait in the bold line of page 1."""
    pdf = render(make_job(locale="en", wait="until-bleeding-stops"))
    with pytest.raises(AssertionError, match="pixels differ"):
        assert_matches_golden(pdf, "handout-en-p1", page=0, may_update=False)
