// Small browser helpers the Blazor pages call; everything else runs on the server.
window.mlstack = {
    // Remembered for a year; the server reads it to render the chosen theme without a flash.
    setTheme(theme) {
        document.cookie = `mlstack-theme=${theme}; path=/; max-age=31536000; samesite=strict`;
        document.body.classList.toggle("theme-dark", theme === "dark");
        document.body.classList.toggle("theme-light", theme !== "dark");
        document.querySelector('meta[name="color-scheme"]')?.setAttribute("content", theme);
    },

    copyText(text) {
        return navigator.clipboard.writeText(text);
    },

    scrollToEnd(element) {
        if (element) {
            element.scrollTop = element.scrollHeight;
        }
    },

    // Enter sends, Shift+Enter adds a line; Esc anywhere on the page stops the answer being written.
    attachChatKeys(container, dotnet) {
        const textarea = container.querySelector("textarea");
        const onKey = async (e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                const text = textarea.value;
                if (text.trim().length === 0) {
                    return;
                }
                const accepted = await dotnet.invokeMethodAsync("SubmitFromKeyboard", text);
                if (accepted) {
                    textarea.value = "";
                    textarea.dispatchEvent(new Event("input", { bubbles: true }));
                }
            }
        };
        const onEscape = (e) => {
            if (e.key === "Escape") {
                dotnet.invokeMethodAsync("StopFromKeyboard");
            }
        };
        textarea?.addEventListener("keydown", onKey);
        document.addEventListener("keydown", onEscape);
        return {
            dispose() {
                textarea?.removeEventListener("keydown", onKey);
                document.removeEventListener("keydown", onEscape);
            },
        };
    },

    focus(element) {
        element?.querySelector("textarea, input")?.focus();
    },
};
