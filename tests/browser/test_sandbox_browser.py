"""A whole peer mediation played in the sandbox page in a real Chromium, as Ann and Bob, switching
personas the way a person would. It checks what each person sees, and that Ann's unshared answer
never appears anywhere on Bob's screen."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from bot import texts as t
from bot.sandbox import installs
from bot.sandbox.server import Sandbox
from tests.support.sandbox import running

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ANN_SECRET = "zq-ann-unshared-request-41c7"
SHOTS = os.environ.get("SANDBOX_SCREENSHOTS")  # a folder: save screenshots of the main steps there
TIMEOUT = 15_000


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with running(tmp_path / "sandbox") as s:
        yield s


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    async with async_playwright() as p:
        launched = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield launched
        finally:
            await launched.close()


class Person:
    """One persona on the page."""

    def __init__(self, page: Page, sandbox: Sandbox) -> None:
        self.page = page
        self.sandbox = sandbox

    async def become(self, name: str) -> None:
        await self.page.locator(f".sb-persona[data-persona='{name}']").click()
        await expect(self.page.locator(".sb-persona.sb-active")).to_have_attribute("data-persona", name)

    async def open_dm(self) -> None:
        await self.page.locator(".sb-conv-im").first.click()
        await expect(self.page.locator("#title")).to_have_text("Common Ground")

    async def open_home(self) -> None:
        await self.page.locator(".sb-conv[data-conv='home']").click()

    async def open_joint(self) -> None:
        await self.page.locator(".sb-conv-mpim").first.click()

    async def type(self, text: str) -> None:
        await self.page.locator("#composer-input").fill(text)
        await self.page.locator("#composer button[type=submit]").click()

    def modal(self):  # type: ignore[no-untyped-def]
        return self.page.locator(".sb-backdrop .bk-modal")

    async def click_last(self, action_id: str, shot: str | None = None) -> None:
        """Click the newest such button; one that cannot be undone asks first, as in Slack, and is
        confirmed (after a screenshot named ``shot``, when given)."""
        button = self.page.locator(f"#pane [data-action-id='{action_id}']").last
        await expect(button).to_be_visible(timeout=TIMEOUT)
        asks = await button.get_attribute("data-confirm-title")
        await button.click()
        if asks:
            dialog = self.page.locator("#confirm")
            await expect(dialog).to_be_visible(timeout=TIMEOUT)
            await expect(dialog).to_contain_text(asks)
            if shot:
                await self.shot(shot)
            await dialog.locator("#confirm-ok").click()
            await expect(dialog).to_be_hidden()

    async def fill(self, name: str, text: str) -> None:
        await self.modal().locator(f"[name='{name}']").fill(text)

    async def submit(self) -> None:
        await self.modal().locator("button[type=submit]").click()

    async def shot(self, name: str) -> None:
        if SHOTS:
            await self.page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))  # Playwright makes the folder

    async def sees(self, text: str) -> None:
        await expect(self.page.locator("body")).to_contain_text(text, timeout=TIMEOUT)

    async def does_not_see_in_modal(self, text: str) -> None:
        assert text not in await self.modal().inner_html()

    async def does_not_see(self, text: str) -> None:
        assert text not in await self.page.locator("body").inner_text()
        assert text not in await self.page.content()


async def intake(
    me: Person, answers: dict[str, str], shares: dict[str, str], coached: str | None = None
) -> None:
    await me.click_last("cg_intake_open")
    await expect(me.modal()).to_contain_text("Your private answers", timeout=TIMEOUT)
    for key, text in answers.items():
        await me.fill(f"q_{key}/value", text)
    await me.submit()
    if coached:
        # The coach points at the words, suggests, and lets the person keep them.
        await expect(me.modal()).to_contain_text("A gentle check", timeout=TIMEOUT)
        await expect(me.modal()).to_contain_text(coached)
        await me.shot("03-coach-review")
        await me.modal().locator("[data-action-id='cg_keep_words']").click()
    await expect(me.modal()).to_contain_text("What to share", timeout=TIMEOUT)
    for key, share in shares.items():
        await me.modal().locator(f"input[name='share_{key}/value'][value='{share}']").check()
    await me.submit()
    await expect(me.modal()).to_contain_text("that's saved", timeout=TIMEOUT)
    await me.modal().locator("[data-modal-close]").first.click()
    await expect(me.modal()).to_have_count(0)


async def test_ann_and_bob_play_a_whole_mediation(sandbox: Sandbox, browser: Browser) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 860})
    page.set_default_timeout(TIMEOUT)
    me = Person(page, sandbox)
    await page.goto(sandbox.url.replace("localhost", "127.0.0.1") + "/")
    await me.become("ann")
    await me.open_dm()

    # Ann starts with a slash command and an @mention; the modal is drawn over the page.
    await me.type("/mediate @bob the release deadlines")
    await expect(me.modal()).to_contain_text("Start a mediation")
    await me.fill("hopes/value", "That we plan releases together.")
    await me.shot("01-start-modal")
    await me.submit()
    await expect(me.modal()).to_have_count(0)
    await me.sees("Your invitation to")

    # Bob's invitation, and his answer.
    await me.become("bob")
    await me.open_dm()
    await me.sees("would like to talk something through with you")
    await me.sees("It is voluntary")
    await me.shot("02-invitation")
    await me.click_last("cg_invite_accept")
    await me.sees("You accepted (")  # the used buttons turn into what happened
    await me.shot("10-done-invitation")
    await me.click_last("cg_rules_agree")
    await me.become("ann")
    await me.open_dm()
    await me.click_last("cg_rules_agree")

    # Private answers: Ann keeps her request to herself.
    await me.sees("Now it's your private moment")
    await intake(
        me,
        {
            "happened": "On Monday the launch moved to the 13th and I heard it on the status call.",
            "feelings": "I felt caught off guard and anxious.",
            "needs": "Clarity and being consulted before dates change.",
            "requests": f"Would you be willing to {ANN_SECRET}?",
        },
        {"happened": "all", "feelings": "all", "needs": "all", "requests": "none"},
    )
    await me.become("bob")
    await me.open_dm()
    await intake(
        me,
        {
            "happened": "The client asked for the 13th on Friday night.",
            "feelings": "I felt pressured and alone with it.",
            "needs": "Support and clarity about who decides.",
            "requests": "Would you be willing to help me push back on the client?",
        },
        {"happened": "all", "feelings": "all", "needs": "all", "requests": "all"},
        coached="pressured",
    )

    # Bob reflects what Ann shared; her unshared answer is nowhere on his screen.
    await me.click_last("cg_reflect_open")
    await expect(me.modal()).to_contain_text("heard it on the status call")
    await me.does_not_see(ANN_SECRET)
    await me.shot("04-reflect")
    await me.fill("reflection/value", "The date moved and you only heard it on the call.")
    await me.submit()
    await expect(me.modal()).to_contain_text("that's saved")
    # it goes to Ann, with the coach's private tip for Bob about what could be added
    await expect(me.modal()).to_contain_text("A thought for next time")
    await me.shot("09-reflection-tip")
    await me.modal().locator("[data-modal-close]").first.click()

    await me.become("ann")
    await me.open_dm()
    await me.click_last("cg_answer_open")
    await expect(me.modal()).to_contain_text("only heard it on the call")
    await me.modal().locator("input[name='verdict/value'][value='partly']").check()
    await me.submit()  # "Partly" without saying what is missing: the field error shows in the modal
    await expect(me.modal().locator(".bk-error")).to_contain_text("Please say what is missing")
    await me.fill("missing/value", "How anxious I was about testing.")
    await me.submit()
    await expect(me.modal()).to_contain_text("that's saved")
    await me.modal().locator("[data-modal-close]").first.click()

    await me.become("bob")
    await me.open_dm()
    await me.click_last("cg_reflect_open")
    await expect(me.modal()).to_contain_text("How anxious I was about testing.")
    await me.fill(
        "reflection/value", "You were anxious about testing time, and being consulted matters to you."
    )
    await me.submit()
    await me.modal().locator("[data-modal-close]").first.click()

    await me.become("ann")
    await me.open_dm()
    await me.click_last("cg_answer_open")
    await me.modal().locator("input[name='verdict/value'][value='confirmed']").check()
    await me.submit()
    await me.modal().locator("[data-modal-close]").first.click()
    await me.sees("confirmed that")

    # The other direction: Ann reflects Bob.
    await me.click_last("cg_reflect_open")
    await me.fill("reflection/value", "You were pressured by the client and felt alone; you need support.")
    await me.submit()
    await me.modal().locator("[data-modal-close]").first.click()
    await me.become("bob")
    await me.open_dm()
    await me.click_last("cg_answer_open")
    await me.modal().locator("input[name='verdict/value'][value='confirmed']").check()
    await me.submit()
    await me.modal().locator("[data-modal-close]").first.click()

    # Check-ins.
    for name in ("bob", "ann"):
        await me.become(name)
        await me.open_dm()
        await me.click_last("cg_check_in_open")
        for i in range(4):
            await me.fill(f"item{i}/value", "10")
        await me.submit()
        await me.modal().locator("[data-modal-close]").first.click()

    # The joint space: a group DM in the sidebar, with the summary and the agenda.
    await me.open_joint()
    await me.sees("Welcome to your conversation")
    await me.sees("clarity")
    await me.does_not_see(ANN_SECRET)
    await me.shot("05-joint-space")
    await me.type("Thanks for listening, Bob.")
    await me.sees("Thanks for listening, Bob.")
    await me.click_last("cg_item_propose")
    await me.fill("who/value", "Bob")
    await me.fill("what/value", "Tell Ann about date changes before announcing them")
    await me.submit()
    await me.sees("Tell Ann about date changes before announcing them")

    await me.become("bob")
    await me.open_joint()
    await me.click_last("cg_item_accept")
    await me.sees("Agreed by both")
    # Finishing is a joint act: Bob proposes the outcome (suggested: agreed), Ann confirms it.
    await me.click_last("cg_joint_done")
    await me.sees("Finish together")
    await me.submit()
    await me.sees("proposes to finish here")
    await me.become("ann")
    await me.open_joint()
    await me.shot("11-finish-together")
    await me.click_last("cg_finish_confirm", shot="12-confirm-close")
    await me.sees("This mediation is closed")
    await me.does_not_see(ANN_SECRET)

    # Bob's App Home shows the closed mediation; Ann's DM has the agreement.
    await me.become("bob")
    await me.open_home()
    await me.sees("Closed: you reached an agreement")
    await me.does_not_see(ANN_SECRET)
    await me.become("ann")
    await me.open_dm()
    await me.sees("What you agreed")
    await me.shot("06-agreement")

    # Ann deletes her data: Slack's confirmation first, then a receipt; her words are gone.
    await me.type("/mediate delete-my-data")
    await me.click_last("cg_delete_my_data")
    await me.sees("I erased everything you wrote")
    await me.shot("13-delete-my-data")
    sandbox.standin.assert_no_rejections()


async def test_maya_hosts_from_a_message_and_sees_no_private_text(sandbox: Sandbox, browser: Browser) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 860})
    page.set_default_timeout(TIMEOUT)
    me = Person(page, sandbox)
    await page.goto(sandbox.url.replace("localhost", "127.0.0.1") + "/")

    # Ann writes in the channel she shares with Bob and Maya.
    await me.become("ann")
    await page.locator(".sb-conv-private_channel").first.click()
    await me.type("The rota for December still isn't settled.")
    await me.sees("The rota for December")

    # Maya uses the message's ⋯ menu: "Host a mediation about this"; Ann is suggested, not her words.
    await me.become("maya")
    await page.locator(".sb-conv-private_channel").first.click()
    message = page.locator(".sb-msg-wrap").last
    await message.hover()
    await message.locator("[data-shortcut='cg_host']").click()
    await expect(me.modal()).to_contain_text("Host a mediation")
    await me.does_not_see_in_modal("The rota for December")
    await me.modal().locator("select[name='second/value']").select_option(sandbox.standin.user_id("bob"))
    await me.fill("topic/value", "the December rota")
    await me.submit()
    await expect(me.modal()).to_have_count(0)

    # Both are invited; Maya's App Home shows the mediation she hosts and who it waits on.
    await me.open_home()
    await me.sees("Mediations you host")
    await me.sees("Waiting on")
    await me.shot("07-hosting")
    await me.become("ann")
    await me.open_dm()
    await me.sees("invites you and")
    await me.click_last("cg_invite_accept")
    await me.become("maya")
    await me.open_home()
    await page.locator("[data-action-id='cg_fac_nudge']").click()
    # Remind confirms to the host in a small modal; she closes it before switching persona.
    await expect(me.modal()).to_contain_text("got a kind reminder")
    await me.modal().locator("[data-modal-close]").first.click()
    await expect(me.modal()).to_have_count(0)
    await me.become("bob")
    await me.open_dm()
    await me.sees("sends a kind reminder")
    sandbox.standin.assert_no_rejections()


async def test_ada_changes_the_invitation_and_the_next_mediation_uses_it(
    sandbox: Sandbox, browser: Browser
) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 860})
    page.set_default_timeout(TIMEOUT)
    me = Person(page, sandbox)
    await page.goto(sandbox.url.replace("localhost", "127.0.0.1") + "/")

    # Ann's mediation started before the change keeps the words it started with.
    await me.become("ann")
    await me.open_dm()
    await me.type("/mediate @bob the old rota")
    await me.submit()
    await expect(me.modal()).to_have_count(0)

    # Ada, a workspace admin, writes the workspace's own invitation words in App Home.
    await me.become("ada")
    await me.open_home()
    await me.sees("Admin")
    await page.locator("[data-action-id='cg_admin_prompts_peer']").click()
    await expect(me.modal()).to_be_visible()
    await me.fill("intro/value", "At Acme we talk things through, kindly and in confidence.")
    await me.shot("08-admin-prompts")
    await me.submit()
    # the saved view names what changed as the form does, with the words Ada wrote
    await expect(me.modal()).to_contain_text(f"Peer mediation — {t.ADMIN_INTRO_LABEL}: “At Acme we talk")
    await me.modal().locator("[data-modal-close]").first.click()
    await expect(me.modal()).to_have_count(0)

    # Cat starts a new mediation with Bob: his invitation carries Ada's words.
    await page.locator("#add-person input[name='name']").fill("cat")
    await page.locator("#add-person button[type=submit]").click()
    await expect(page.locator(".sb-persona[data-persona='cat']")).to_be_visible()
    await me.become("cat")
    await me.open_dm()
    await me.type("/mediate @bob the new rota")
    await me.submit()
    await expect(me.modal()).to_have_count(0)
    await me.become("bob")
    await me.open_dm()
    await me.sees("the new rota")
    messages = await page.locator("#pane").inner_text()
    new_part = messages[messages.index("the new rota") - 300 :]
    old_part = messages[: messages.index("the new rota") - 300]
    assert "At Acme we talk things through" in new_part
    assert "At Acme we talk things through" not in old_part
    sandbox.standin.assert_no_rejections()


ANN_PRIVATE = "zq-ann-private-hopes-e04d"


async def test_anns_private_words_reach_no_other_persona_with_the_drawer_open(
    sandbox: Sandbox, browser: Browser
) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 860})
    page.set_default_timeout(TIMEOUT)
    me = Person(page, sandbox)
    await page.goto(sandbox.url.replace("localhost", "127.0.0.1") + "/")

    # Ann starts a mediation with Bob; what she hopes for is a private note.
    await me.become("ann")
    await me.open_dm()
    await me.type("/mediate @bob the release rota")
    await expect(me.modal()).to_contain_text("Start a mediation")
    await me.fill("hopes/value", f"I hope {ANN_PRIVATE}.")
    await me.submit()
    await expect(me.modal()).to_have_count(0)
    await me.sees("Your invitation to")

    # Her own drawer has it (the check can fail); an entry she opens stays open while the log refreshes.
    await page.locator("#drawer-toggle").click()
    entry = page.locator("#devlog li.dev-request").filter(has_text="view_submission").first
    await entry.locator("summary").click()
    await expect(entry.locator("pre")).to_contain_text(ANN_PRIVATE)
    entry_id = await entry.get_attribute("data-entry-id")
    count = await page.locator("#devlog li").count()
    await me.open_home()  # app_home_opened: new entries, the log is redrawn
    await expect(page.locator("#devlog li")).not_to_have_count(count)
    await page.wait_for_timeout(1500)  # two polls
    await expect(page.locator(f"#devlog li[data-entry-id='{entry_id}'] details")).to_have_attribute(
        "open", ""
    )

    # Every other persona, drawer open, on every page of theirs: none of it.
    for name in ("bob", "maya", "ada"):
        await me.become(name)
        await expect(page.locator("#drawer")).to_be_visible()
        # their own entries arrive: the app_home_opened their client sent on switching, and its answers
        await expect(page.locator("#devlog li.dev-request").first).to_be_visible()
        convs = await page.locator(".sb-conv").evaluate_all("items => items.map(i => i.dataset.conv)")
        for conv in convs:
            await page.locator(f".sb-conv[data-conv='{conv}']").click()
            await expect(page.locator(".sb-conv.sb-active")).to_have_attribute("data-conv", conv)
            await page.wait_for_timeout(800)  # a poll
            await page.evaluate("document.querySelectorAll('#devlog details').forEach(d => d.open = true)")
            await me.does_not_see(ANN_PRIVATE)
        if name == "bob":
            await me.open_dm()
            await me.sees("would like to talk something through with you")
    sandbox.standin.assert_no_rejections()


async def test_the_clock_control_moves_a_day_and_bobs_reminder_fires(
    sandbox: Sandbox, browser: Browser
) -> None:
    # Start on a Monday at 14:00 UTC (9 or 10 am in New York): a day later is a working morning for Bob.
    now = datetime.fromtimestamp(sandbox.clock(), UTC)
    monday = (now + timedelta(days=7 - now.weekday())).replace(hour=14, minute=0, second=0, microsecond=0)
    sandbox.clock.advance((monday - now).total_seconds())
    page = await browser.new_page(viewport={"width": 1280, "height": 860})
    page.set_default_timeout(TIMEOUT)
    me = Person(page, sandbox)
    await page.goto(sandbox.url.replace("localhost", "127.0.0.1") + "/")
    await me.become("ann")
    await me.open_dm()
    clock = page.locator("#clock")
    await expect(clock).to_contain_text(monday.strftime("%a %-d %b %Y, 14:0"))
    await expect(clock).to_contain_text("No timer is waiting.")
    # each person's own hour: Bob's in New York, Maya's in Berlin
    await expect(clock).to_contain_text("Bob Lindqvist · New York")
    await expect(clock).to_contain_text(monday.astimezone(ZoneInfo("America/New_York")).strftime("%a %H:"))
    await expect(clock).to_contain_text(monday.astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %H:"))

    await me.type("/mediate @bob the release rota")
    await me.submit()
    await expect(me.modal()).to_have_count(0)
    await expect(clock).to_contain_text("Next timer: reminder, in 23 hours")

    await me.become("bob")
    await me.open_dm()
    await me.sees("would like to talk something through with you")
    await me.does_not_see("A gentle reminder")
    await clock.get_by_role("button", name="Advance 1 day").click()
    await expect(page.locator("#clock-result")).to_contain_text("Fired: reminder.")
    await expect(clock).to_contain_text((monday + timedelta(days=1)).strftime("%a %-d %b %Y, 14:0"))
    await me.sees("A gentle reminder")
    await me.shot("14-clock")
    sandbox.standin.assert_no_rejections()


async def test_a_second_workspace_is_installed_from_the_page_and_kept_apart(
    sandbox: Sandbox, browser: Browser
) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 860})
    page.set_default_timeout(TIMEOUT)
    me = Person(page, sandbox)
    await page.goto(sandbox.url.replace("localhost", "127.0.0.1") + "/")
    await me.become("ann")
    await me.open_dm()
    await me.type("/mediate @bob the release deadlines")
    await me.submit()
    await expect(me.modal()).to_have_count(0)
    await me.sees("Your invitation to")

    # Add a workspace: the real install flow in this tab, from the app's page to Slack's and back.
    await page.locator("#add-workspace input[name='name']").fill("Riverside Clinic")
    await page.locator("#add-workspace button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"/slack/install$"))
    await page.get_by_role("link", name=t.INSTALL_BUTTON).click()
    await expect(page.locator("h1")).to_have_text(installs.CONSENT_TITLE)
    await expect(page.locator("#consent-team option:checked")).to_have_text("Riverside Clinic")
    await me.shot("15-install-consent")
    await page.locator("#consent-allow").click()
    await expect(page.locator("h1")).to_have_text(t.INSTALLED_TITLE)
    await page.get_by_role("link", name=t.INSTALLED_OPEN_SLACK).click()

    # Back on the page, in the new workspace, as its first person, with people of its own.
    riverside = page.locator(".sb-workspace.sb-active")
    await expect(riverside).to_have_text("Riverside Clinic")
    await expect(page.locator(".sb-persona.sb-active")).to_have_attribute("data-persona", "kofi")
    await expect(page.locator(".sb-persona[data-persona='ann']")).to_have_count(0)
    await me.open_dm()
    await me.type("/mediate @mei the night rota")
    await me.fill("hopes/value", "A rota we both can live with.")
    await me.submit()
    await expect(me.modal()).to_have_count(0)
    await me.become("mei")
    await me.open_dm()
    await me.sees("would like to talk something through with you")
    await me.sees("the night rota")
    await me.does_not_see("the release deadlines")
    await me.shot("16-second-workspace")

    # Switch back: the first workspace is as it was, and knows nothing of the second's mediation.
    await page.locator(".sb-workspace", has_text="Sandbox").click()
    await expect(page.locator(".sb-workspace.sb-active")).to_have_text("Sandbox")
    await me.become("bob")
    await me.open_dm()
    await me.sees("the release deadlines")
    await me.does_not_see("the night rota")
    await me.open_home()
    await me.sees("the release deadlines")
    await me.does_not_see("the night rota")
    sandbox.standin.assert_no_rejections()
    second = sandbox.workspaces.of_team(sandbox.workspaces.all[1].team_id)
    assert second is not None
    second.assert_no_rejections()
