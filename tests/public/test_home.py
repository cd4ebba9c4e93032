"""The public home page: boards, their priorities, open exercises (or why there are none)."""

from engage.boards.models import BoardKind, PriorityStatus


def test_empty_home_page_explains_itself(client):
    html = client.get("/").get_data(as_text=True)
    assert "There are no open exercises at the moment" in html
    assert "No boards have been set up yet." in html


def test_home_page_lists_boards_kinds_and_active_priorities(client, make_board, make_priority):
    hwb = make_board("Health and Wellbeing", kind=BoardKind.PARTNERSHIP)
    make_board("Economy Network", kind=BoardKind.NETWORK)
    make_priority(hwb, "HWB-SMOKING", "Helping people stop smoking")
    make_priority(hwb, "HWB-OLD", "Retired priority", status=PriorityStatus.ARCHIVED)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/boards/health-and-wellbeing"' in html
    assert "Helping people stop smoking" in html and "Retired priority" not in html
    assert "Partnership board" in html and "Network or working group" in html
    assert "1 priority" in html
    assert "This board has not published its priorities yet." in html  # the network has none


def test_home_page_in_welsh(client, make_board, make_priority):
    board = make_board("Iechyd a Lles")
    make_priority(board)
    make_priority(board)
    html = client.get("/?lang=cy").get_data(as_text=True)
    assert "Dweud eich dweud am yr hyn sydd bwysicaf" in html
    assert "Nid oes unrhyw ymarferion ar agor ar hyn o bryd" in html
    assert "2 flaenoriaeth" in html


def test_accessibility_and_privacy_pages(client):
    assert "Accessibility statement for Engage" in client.get("/accessibility").get_data(as_text=True)
    assert "Privacy notice" in client.get("/privacy").get_data(as_text=True)


def test_english_content_on_a_welsh_page_is_marked_as_english(client, make_board, make_priority):
    make_priority(make_board("Health"), title="Helping people stop smoking")
    welsh = client.get("/?lang=cy").get_data(as_text=True)
    assert '<li><span lang="en">Helping people stop smoking</span></li>' in welsh
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "<li><span>Helping people stop smoking</span></li>" in english
    # On a right-to-left page the English also runs left to right, so its punctuation stays at its end.
    urdu = client.get("/?lang=ur").get_data(as_text=True)
    assert '<li><span lang="en" dir="ltr">Helping people stop smoking</span></li>' in urdu
