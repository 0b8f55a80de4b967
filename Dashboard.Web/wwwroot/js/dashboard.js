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

    // Enter sends, Shift+Enter adds a line; Esc anywhere on the page closes the open panel or stops the answer. A message
    // longer than the limit is cut here, before Blazor's input handler (at the document) sends it to the server, and
    // the page is told how long it was, so no paste can send an oversized message over the circuit.
    attachChatKeys(container, dotnet, maxLength) {
        const textarea = container.querySelector("textarea");
        const onKey = async (e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                const text = textarea.value;
                if (text.trim().length === 0 || text.length > maxLength) {
                    return;
                }
                const accepted = await dotnet.invokeMethodAsync("SubmitFromKeyboard", text);
                if (accepted) {
                    textarea.value = "";
                    textarea.dispatchEvent(new Event("input", { bubbles: true }));
                }
            }
        };
        const onInput = () => {
            if (textarea.value.length > maxLength) {
                const typed = textarea.value.length;
                textarea.value = textarea.value.slice(0, maxLength);
                dotnet.invokeMethodAsync("InputTooLong", typed);
            }
        };
        const onEscape = (e) => {
            if (e.key === "Escape") {
                dotnet.invokeMethodAsync("EscapeFromKeyboard");
            }
        };
        textarea?.addEventListener("keydown", onKey);
        textarea?.addEventListener("input", onInput);
        document.addEventListener("keydown", onEscape);
        return {
            dispose() {
                textarea?.removeEventListener("keydown", onKey);
                textarea?.removeEventListener("input", onInput);
                document.removeEventListener("keydown", onEscape);
            },
        };
    },

    // localStorage for the chat: large values are read in pieces from a snapshot, so none crosses the circuit whole.
    storage: {
        snapshots: new Map(),
        nextId: 1,
        snapshot(key) {
            const value = localStorage.getItem(key);
            if (value === null) {
                return null;
            }
            const id = this.nextId++;
            this.snapshots.set(id, value);
            return { id, length: value.length };
        },
        read(id, start, count) {
            return (this.snapshots.get(id) ?? "").substring(start, start + count);
        },
        release(id) {
            this.snapshots.delete(id);
        },
        write(key, value) {
            try {
                localStorage.setItem(key, value);
                return true;
            } catch {
                return false; // the quota is full
            }
        },
        setAside(key, asideKey) {
            const value = localStorage.getItem(key);
            if (value !== null) {
                try {
                    localStorage.setItem(asideKey, value);
                } catch {
                    // No room to keep it: it is dropped rather than left to break the page.
                }
                localStorage.removeItem(key);
            }
        },
        // Adds chats (newest first) to the archive; returns how many it holds, or -1 when the quota is full.
        archive(key, json) {
            let archived = [];
            try {
                const parsed = JSON.parse(localStorage.getItem(key) ?? "[]");
                archived = Array.isArray(parsed) ? parsed : [];
            } catch {
                archived = [];
            }
            const all = JSON.parse(json).concat(archived);
            try {
                localStorage.setItem(key, JSON.stringify(all));
                return all.length;
            } catch {
                return -1;
            }
        },
        // Saves a stored value as a file, straight from the browser.
        download(key, fileName) {
            const blob = new Blob([localStorage.getItem(key) ?? "[]"], { type: "application/json" });
            const link = document.createElement("a");
            link.href = URL.createObjectURL(blob);
            link.download = fileName;
            document.body.appendChild(link);
            link.click();
            link.remove();
            setTimeout(() => URL.revokeObjectURL(link.href), 10000);
        },
    },

    focus(element) {
        element?.querySelector("textarea, input")?.focus();
    },

    focusSelector(selector) {
        document.querySelector(selector)?.focus();
    },
};
