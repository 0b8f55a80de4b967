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
        // The text was cut by the page-wide guard below; the chat says so in its own words.
        const onCut = (e) => {
            e.preventDefault();
            dotnet.invokeMethodAsync("InputTooLong", e.detail);
        };
        const onEscape = (e) => {
            if (e.key === "Escape") {
                dotnet.invokeMethodAsync("EscapeFromKeyboard");
            }
        };
        textarea?.addEventListener("keydown", onKey);
        textarea?.addEventListener("mlstack-input-cut", onCut);
        document.addEventListener("keydown", onEscape);
        return {
            dispose() {
                textarea?.removeEventListener("keydown", onKey);
                textarea?.removeEventListener("mlstack-input-cut", onCut);
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

// Every text field of every page: text longer than the limit (ChatLimits.MaxMessageCharacters) is cut here, in the
// capture phase, before Blazor's input handler sends the value over the circuit, so no paste can end the circuit.
// The field hears "mlstack-input-cut" with the length typed; when nobody handles it, a short notice says what happened.
window.mlstack.maxFieldLength = 16000;
document.addEventListener("input", (e) => {
    const field = e.target;
    if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement) || field.type === "file") {
        return;
    }
    const limit = window.mlstack.maxFieldLength;
    if (field.value.length <= limit) {
        return;
    }
    const typed = field.value.length;
    field.value = field.value.slice(0, limit);
    const cut = new CustomEvent("mlstack-input-cut", { detail: typed, cancelable: true });
    if (field.dispatchEvent(cut)) {
        const notice = document.createElement("div");
        notice.className = "input-cut-notice";
        notice.setAttribute("role", "status");
        notice.textContent = `Text fields take at most ${limit.toLocaleString("en")} characters; the ${typed.toLocaleString("en")} entered were cut to fit.`;
        document.body.appendChild(notice);
        setTimeout(() => notice.remove(), 8000);
    }
}, true);
