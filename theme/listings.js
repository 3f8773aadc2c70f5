// Listing captions: when the book is built with a repository URL (set
// BOOK_REPOSITORY_URL for ci/book.sh; the hosted workflow does), each
// filename line links to its file in the repository, and each caption to
// the listing's folder. Both say where with data-listing, the listing's
// folder from the repository root:
//   <span class="filename" data-listing="listings/ch01-skeleton/listing-01-02">Filename: src/lib.rs</span>
//   <span class="caption" data-listing="listings/ch01-skeleton/listing-01-02">Listing 1-2: …</span>
// A filename line without data-listing names a path from the repository
// root (`.github/workflows/ci.yml`). Without a repository URL (a local or
// offline build) captions stay plain text.
(function () {
    "use strict";
    function repositoryBase() {
        var repo = document.querySelector('a[title="Git repository"]');
        return repo ? repo.getAttribute("href").replace(/\/+$/, "") : null;
    }
    function linkFilenames() {
        var base = repositoryBase();
        if (!base) {
            return 0;
        }
        var n = 0;
        document.querySelectorAll("span.filename").forEach(function (span) {
            if (span.querySelector("a")) {
                return;
            }
            var m = span.textContent.match(/^Filename:\s*(\S+)$/);
            if (!m) {
                return;
            }
            var folder = span.getAttribute("data-listing");
            var path = folder ? folder.replace(/\/+$/, "") + "/" + m[1] : m[1];
            var a = document.createElement("a");
            a.href = base + "/blob/main/" + path;
            a.textContent = m[1];
            a.title = "This file in the repository (" + path + ")";
            span.textContent = "Filename: ";
            span.appendChild(a);
            n += 1;
        });
        document.querySelectorAll("span.caption[data-listing]").forEach(function (span) {
            if (span.querySelector("a")) {
                return;
            }
            var folder = span.getAttribute("data-listing").replace(/\/+$/, "");
            var a = document.createElement("a");
            a.href = base + "/tree/main/" + folder;
            a.title = "The whole listing in the repository (" + folder + ")";
            while (span.firstChild) {
                a.appendChild(span.firstChild);
            }
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
