namespace MlStack.Dashboard.IntegrationTests;

[Collection(DashboardCollection.Name)]
public sealed class DocumentsTests(DashboardFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task An_uploaded_markdown_file_is_cited_in_an_answer_from_documents()
    {
        var collection = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        var folder = Directory.CreateTempSubdirectory("mlstack-upload-").FullName;
        var file = Path.Combine(folder, "quokka-festival.md");
        await File.WriteAllTextAsync(file, """
            # The quokka festival

            The quokka festival takes place on Rottnest Island every March. Visitors count quokkas at dawn,
            and the island's rangers give talks about how quokkas live, what they eat and why they smile.
            """);
        var notes = Path.Combine(folder, "ferry-notes.txt");
        await File.WriteAllTextAsync(notes, "Ferries to the island leave Fremantle every hour from seven in the morning.");
        try
        {
            var page = await fixture.OpenAsync("/documents");
            await page.Locator("input[data-testid=new-collection-name]").FillAsync(collection);
            await page.Locator("[data-testid=create-collection]").ClickAsync();
            await Expect(page.Locator($"[data-testid=collection][data-collection={collection}][aria-current=true]")).ToBeVisibleAsync();

            // Two files at once, each with its own progress bar.
            await page.Locator("input[type=file]").SetInputFilesAsync([file, notes]);
            await Expect(page.Locator("[data-testid=upload-item][data-done=true]")).ToHaveCountAsync(2);
            await Expect(page.Locator("tr[data-document='quokka-festival.md'] [data-testid=chunk-count]")).ToHaveTextAsync("1");
            await DashboardFixture.ScreenshotAsync(page, "documents");

            var chat = new ChatPage(page);
            await page.GotoAsync(fixture.Url("/"));
            await chat.WaitReadyAsync();
            await chat.UseSettingsAsync(maxNewTokens: 48, ignoreEndOfSequence: false, fromDocuments: true, collection: collection);
            await chat.NewChatAsync();
            await Expect(page.Locator("[data-testid=collection-picker]")).ToContainTextAsync(collection);
            await chat.SendAsync("When does the quokka festival take place?");
            await chat.WaitForAnswerAsync();

            var citation = chat.LastAnswer.Locator("[data-testid=citation]").First;
            Assert.Equal("quokka-festival.md", await citation.GetAttributeAsync("data-document"));
            await citation.ClickAsync();
            await Expect(citation).ToContainTextAsync("Rottnest Island");
            await chat.LastAnswer.Locator("[data-testid=context-used]").ClickAsync();
            await Expect(chat.LastAnswer.Locator(".context-text")).ToContainTextAsync("takes place on Rottnest Island every March");
            output.WriteLine(await chat.LastAnswer.InnerTextAsync());
            // The vector store's key stays on the server: neither page nor storage of the browser holds it.
            var vectorsKey = await fixture.Stack.ParameterAsync("vectors-api-key");
            Assert.DoesNotContain(vectorsKey, await page.ContentAsync());
            Assert.DoesNotContain(vectorsKey, await page.EvaluateAsync<string>("() => JSON.stringify(localStorage) + document.cookie"));
            await DashboardFixture.ScreenshotAsync(page, "chat-documents");

            // Deleting the document and the collection from the page.
            await page.GotoAsync(fixture.Url("/documents"));
            await DashboardFixture.WaitInteractiveAsync(page);
            await page.Locator($"[data-testid=collection][data-collection={collection}]").ClickAsync();
            await page.Locator("tr[data-document='ferry-notes.txt'] button").ClickAsync();
            await Expect(page.Locator("tr[data-document='ferry-notes.txt']")).ToHaveCountAsync(0);
            await page.Locator("[data-testid=delete-collection]").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
            await Expect(page.Locator($"[data-testid=collection][data-collection={collection}]")).ToHaveCountAsync(0);
            await page.CloseAsync();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_collection_with_its_documents_table_fits_a_390_px_phone_and_sign_out_stays_on_screen()
    {
        var collection = "phone-" + Guid.NewGuid().ToString("N")[..8];
        var folder = Directory.CreateTempSubdirectory("mlstack-upload-").FullName;
        var file = Path.Combine(folder, "a-rather-long-document-name-for-a-phone-screen.md");
        await File.WriteAllTextAsync(file, "Quokkas live on Rottnest Island and come out at dawn to eat leaves and grasses.");
        var page = await fixture.OpenAsync("/documents", width: 390, height: 844);
        try
        {
            await page.Locator("input[data-testid=new-collection-name]").FillAsync("Not Valid!");
            await Expect(page.GetByText("Lower-case letters only.")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=create-collection]")).ToBeDisabledAsync();

            await page.Locator("input[data-testid=new-collection-name]").FillAsync(collection);
            await page.Locator("[data-testid=create-collection]").ClickAsync();
            await Expect(page.Locator($"[data-testid=collection][data-collection={collection}][aria-current=true]")).ToBeVisibleAsync();
            await page.Locator("input[type=file]").SetInputFilesAsync([file]);
            await Expect(page.Locator("[data-testid=upload-item][data-done=true]")).ToHaveCountAsync(1);
            await Expect(page.Locator("tr[data-document] [data-testid=chunk-count]")).ToHaveTextAsync("1");

            var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            output.WriteLine($"documents with a table: {width} px");
            await DashboardFixture.ScreenshotAsync(page, "phone-documents-table");
            Assert.True(width <= 390, $"/documents with a collection is {width} px wide at a 390 px viewport");
            var signOut = await page.GetByLabel("Sign out").BoundingBoxAsync();
            Assert.NotNull(signOut);
            Assert.True(signOut.X + signOut.Width <= 390, $"sign-out ends at {signOut.X + signOut.Width} px");
        }
        finally
        {
            await page.Locator($"[data-testid=collection][data-collection={collection}]").ClickAsync();
            await page.Locator("[data-testid=delete-collection]").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
            await Expect(page.Locator($"[data-testid=collection][data-collection={collection}]")).ToHaveCountAsync(0);
            await page.CloseAsync();
            Directory.Delete(folder, recursive: true);
        }
    }
}
