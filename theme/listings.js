// Listing captions: when the book is built with a repository URL (set
// BOOK_REPOSITORY_URL for ci/book.sh; the hosted workflow does), each
// "Filename: listings/…" caption links to that file in the repository.
// Without one (a local or offline build) captions stay plain text.
(function () {
    "use strict";
    function linkFilenames() {
        var repo = document.querySelector('a[title="Git repository"]');
        if (!repo) {
            return 0;
        }
        var base = repo.getAttribute("href").replace(/\/+$/, "");
        var n = 0;
        document.querySelectorAll("span.filename").forEach(function (span) {
            if (span.querySelector("a")) {
                return;
            }
            var m = span.textContent.match(/^Filename:\s*(\S+)$/);
            if (!m) {
                return;
            }
            var a = document.createElement("a");
            a.href = base + "/blob/main/" + m[1];
            a.textContent = m[1];
            a.title = "This file in the repository";
            span.textContent = "Filename: ";
            span.appendChild(a);
            n += 1;
        });
        return n;
    }
    window.bookLinkFilenames = linkFilenames;
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", linkFilenames);
    } else {
        linkFilenames();
    }
})();
