namespace MlStack.Dashboard.IntegrationTests;

/// <summary>Issue 20: the chat page by keyboard. Closed panels take no focus; Esc closes what is open and focus returns to the message box.</summary>
[Collection(DashboardCollection.Name)]
public sealed class KeyboardTests(DashboardFixture fixture, ITestOutputHelper output)
{
    /// <summary>Where focus is: the element, whether it sits in a closed drawer, and whether it is on screen.</summary>
    private const string FocusScript = """
        () => {
            const el = document.activeElement;
            const drawer = el?.closest('.mud-drawer');
            const r = el?.getBoundingClientRect();
            return {
                name: el ? `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} ${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? ''}` : 'none',
                inClosedDrawer: !!drawer && !drawer.classList.contains('mud-drawer--open'),
                onScreen: !!r && r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
            };
        }
        """;

    [Theory]
    [InlineData(1366, 860)]
    [InlineData(390, 844)]
    public async Task Tab_never_enters_a_closed_panel(int width, int height)
    {
        var chat = new ChatPage(await fixture.OpenAsync("/", width, height));
        await chat.WaitReadyAsync();
        // Once the settings have been opened and closed, as well as on a fresh page.
        for (var round = 0; round < 2; round++)
        {
            await chat.Page.Locator("h1").First.FocusAsync();
            for (var press = 1; press <= 30; press++)
            {
                await chat.Page.Keyboard.PressAsync("Tab");
                var focus = await chat.Page.EvaluateAsync<FocusState>(FocusScript);
                output.WriteLine($"{width} px, round {round}, Tab {press}: {focus.Name}");
                Assert.False(focus.InClosedDrawer, $"Tab {press} went into a closed panel: {focus.Name}");
                Assert.True(focus.OnScreen, $"Tab {press} went off-screen: {focus.Name}");
            }
            await chat.Page.GetByTestId("settings-button").ClickAsync();
            await Expect(chat.Page.GetByTestId("chat-settings")).ToBeVisibleAsync();
            await chat.Page.Keyboard.PressAsync("Escape");
            await Expect(chat.Page.GetByTestId("chat-settings")).ToHaveCountAsync(0);
        }
        await chat.Page.CloseAsync();
    }

    [Fact]
    public async Task A_button_focused_in_an_earlier_answer_stays_in_view_when_the_page_renders()
    {
        // The transcript is scrolled to its end when it changes; a render of the page for anything else (here Esc, which
        // the page handles: nothing is open) must not pull it there, away from the focused button.
        var chat = new ChatPage(await fixture.OpenAsync("/", 1366, 860));
        await chat.WaitReadyAsync();
        await chat.UseSettingsAsync(maxNewTokens: 160, ignoreEndOfSequence: true);
        await chat.NewChatAsync();
        for (var i = 0; i < 3; i++)
        {
            await chat.SendAsync($"Tell me story number {i}.");
            await chat.WaitForAnswerAsync();
        }
        var first = chat.Answers.First.GetByTestId("copy-button");
        await Expect(first).Not.ToBeInViewportAsync(); // three long answers: the first one's footer is scrolled away

        await first.FocusAsync();
        await Expect(first).ToBeInViewportAsync();
        await chat.Page.Keyboard.PressAsync("Escape");
        await chat.Page.WaitForTimeoutAsync(500); // the render Esc caused has run

        await Expect(first).ToBeInViewportAsync();
        await Expect(first).ToBeFocusedAsync();
        await chat.Page.CloseAsync();
    }

    [Fact]
    public async Task A_tooltip_opened_by_focus_never_takes_the_click_meant_for_the_button_beside_it()
    {
        // At phone width the theme button's tooltip, opened by keyboard focus, lies over the settings button.
        var chat = new ChatPage(await fixture.OpenAsync("/", 390, 844));
        await chat.WaitReadyAsync();
        await chat.Page.GetByTestId("theme-toggle").FocusAsync();
        await Expect(chat.Page.Locator(".mud-tooltip").First).ToBeVisibleAsync();

        await chat.Page.GetByTestId("settings-button").ClickAsync(new() { Timeout = 10_000 });
        await Expect(chat.Page.GetByTestId("chat-settings")).ToBeVisibleAsync();
        await chat.Page.CloseAsync();
    }

    [Fact]
    public async Task Esc_and_the_close_button_close_settings_and_focus_returns_to_the_message_box()
    {
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();

        await chat.Page.GetByTestId("settings-button").ClickAsync();
        await Expect(chat.Page.GetByTestId("chat-settings")).ToBeVisibleAsync();
        await chat.Page.GetByTestId("close-settings").FocusAsync();
        await chat.Page.Keyboard.PressAsync("Escape");
        await Expect(chat.Page.GetByTestId("chat-settings")).ToHaveCountAsync(0);
        await Expect(chat.Input).ToBeFocusedAsync();

        await chat.Page.GetByTestId("settings-button").ClickAsync();
        await Expect(chat.Page.GetByTestId("close-settings")).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(chat.Page, "chat-settings-open");
        await chat.Page.GetByTestId("close-settings").ClickAsync();
        await Expect(chat.Page.GetByTestId("chat-settings")).ToHaveCountAsync(0);
        await Expect(chat.Input).ToBeFocusedAsync();
        await chat.Page.CloseAsync();
    }

    private sealed class FocusState
    {
        public string Name { get; set; } = "";

        public bool InClosedDrawer { get; set; }

        public bool OnScreen { get; set; }
    }
}
