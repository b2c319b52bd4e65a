// ouvrage watch: the review panel of a chapter page. Select text in the
// chapter, write a comment (and a replacement, if you suggest one): it is
// recorded in git as `ouvrage comment` records it. Open comments are
// highlighted; the panel lists the chapter's threads with their replies,
// resolves and reopens, and the orphaned ones. Served by `ouvrage watch`
// only, never written to _book. Every text from a comment is put in the
// page as text (textContent), never as HTML.
(function () {
  "use strict";
  var article = document.querySelector("article.chapter[data-chapter]");
  if (!article || article.getAttribute("data-chapter") === "references") { return; }
  var chapter = article.getAttribute("data-chapter");
  // The panel lists what the draft's static list says, and acts on it.
  var listed = article.querySelector(".draft-comments");
  if (listed) { listed.hidden = true; }
  var token = window.ouvrageToken || "";
  var CONTEXT = 32;
  // What the page adds to the chapter's text: a note's call, a section's
  // number. Left out of a selection and of the text searched.
  var ADDED = ".footnote-ref, .section-number";

  // The chapter's text a range covers, without what the page added.
  function textOf(range) {
    var holder = document.createElement("div");
    holder.appendChild(range.cloneContents());
    Array.prototype.forEach.call(holder.querySelectorAll(ADDED), function (e) { e.parentNode.removeChild(e); });
    return holder.textContent;
  }

  var style = document.createElement("style");
  style.textContent =
    "#ouvrage-review{position:fixed;top:0;right:0;bottom:0;width:22rem;max-width:40vw;overflow:auto;" +
    "background:#fbfaf6;color:#1a1a1a;border-left:1px solid #c9c2b2;font:13px/1.45 system-ui,sans-serif;" +
    "z-index:2147483646;padding:.6rem .8rem;box-shadow:-2px 0 10px rgba(0,0,0,.12)}" +
    "#ouvrage-review.folded{width:auto;bottom:auto;padding:.3rem .5rem}" +
    "#ouvrage-review.folded>*:not(.ouvrage-review-head){display:none}" +
    "#ouvrage-review h2{font-size:14px;margin:.2rem 0 .6rem}" +
    "#ouvrage-review h3{font-size:13px;margin:1rem 0 .4rem;color:#5e5950}" +
    ".ouvrage-review-head{display:flex;gap:.5rem;align-items:center;justify-content:space-between}" +
    ".ouvrage-thread{border:1px solid #d8d1c3;border-radius:4px;padding:.4rem .5rem;margin:.5rem 0;background:#fff}" +
    ".ouvrage-thread.resolved{opacity:.7}.ouvrage-thread.current{outline:2px solid #e0a100}" +
    ".ouvrage-quote{margin:0 0 .3rem;padding-left:.5rem;border-left:3px solid #e0a100;color:#5e5950;white-space:pre-wrap}" +
    ".ouvrage-body{white-space:pre-wrap;margin:.2rem 0}" +
    ".ouvrage-meta{color:#5e5950;font-size:12px}" +
    ".ouvrage-event{margin:.3rem 0 0 .7rem;padding-left:.5rem;border-left:2px solid #d8d1c3}" +
    ".ouvrage-suggestion{margin:.2rem 0;color:#1b5e20;white-space:pre-wrap}" +
    ".ouvrage-error{color:#b3261e;white-space:pre-wrap}" +
    "#ouvrage-review textarea,#ouvrage-review input[type=text]{width:100%;box-sizing:border-box;font:inherit;margin:.2rem 0}" +
    "#ouvrage-review button{font:inherit;margin:.2rem .3rem .2rem 0}" +
    "mark.ouvrage-comment{background:#ffe08a;color:inherit;cursor:pointer}" +
    "#ouvrage-comment-button{position:absolute;z-index:2147483646;font:13px system-ui,sans-serif}" +
    "@media (min-width:70rem){body{margin-right:22rem}}";
  document.head.appendChild(style);

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  var panel = el("aside");
  panel.id = "ouvrage-review";
  panel.setAttribute("aria-label", "Comments");
  var head = el("div", "ouvrage-review-head");
  var title = el("h2", null, "Comments");
  var fold = el("button", null, "Fold");
  fold.type = "button";
  fold.addEventListener("click", function () {
    panel.classList.toggle("folded");
    fold.textContent = panel.classList.contains("folded") ? "Comments" : "Fold";
  });
  head.appendChild(title);
  head.appendChild(fold);
  panel.appendChild(head);
  var hint = el("p", "ouvrage-meta", "Select text in the chapter to comment on it.");
  panel.appendChild(hint);
  var form = el("div");
  panel.appendChild(form);
  var list = el("div");
  list.id = "ouvrage-threads";
  panel.appendChild(list);
  document.body.appendChild(panel);

  // Letters and digits, lowercased, of a text: what the server compares
  // too (the page's typography and markup differ from the Markdown).
  function isWordChar(c) { return /[\p{L}\p{N}]/u.test(c); }

  // The page's letters and digits, each with its text node and offset.
  function projectPage() {
    var chars = [], at = [];
    // The draft's own list of comments is no text of the chapter.
    var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        return n.parentElement && n.parentElement.closest(".draft-comments, " + ADDED)
          ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      },
    });
    var node;
    while ((node = walker.nextNode())) {
      var t = node.nodeValue;
      for (var i = 0; i < t.length; i++) {
        var c = t[i];
        if (isWordChar(c)) {
          var low = c.toLowerCase();
          for (var k = 0; k < low.length; k++) { chars.push(low[k]); at.push([node, i]); }
        }
      }
    }
    return { chars: chars.join(""), at: at };
  }

  // The letters of Markdown source, its markup the page does not show left
  // out as the server leaves it out (src/review/rendered.rs): a note's call,
  // a link's address, an attribute block, an HTML tag.
  function projectSource(t) {
    return projectText(String(t)
      .replace(/\[\^[^\]\n]{0,400}\]/g, "")
      .replace(/\]\([^)\n]{0,400}\)/g, "")
      .replace(/\{[#.][^}\n]{0,400}\}/g, "")
      .replace(/<[A-Za-z\/!][^>\n]{0,400}>/g, ""));
  }

  function projectText(t) {
    var out = "";
    for (var i = 0; i < t.length; i++) { if (isWordChar(t[i])) { out += t[i].toLowerCase(); } }
    return out;
  }

  function agree(a, b, fromEnd) {
    var n = 0;
    while (n < a.length && n < b.length) {
      var x = fromEnd ? a[a.length - 1 - n] : a[n];
      var y = fromEnd ? b[b.length - 1 - n] : b[n];
      if (x !== y) { break; }
      n++;
    }
    return n;
  }

  // Where a thread's current text is in the page: the occurrence whose
  // context agrees best with the comment's.
  function findInPage(page, thread) {
    var q = projectSource(thread.now.text);
    if (!q) { return null; }
    var best = -1, bestScore = -1, from = 0, i;
    var prefix = projectSource(thread.quote.prefix), suffix = projectSource(thread.quote.suffix);
    while ((i = page.chars.indexOf(q, from)) >= 0) {
      var score = agree(page.chars.slice(Math.max(0, i - prefix.length), i), prefix, true) +
        agree(page.chars.slice(i + q.length, i + q.length + suffix.length), suffix, false);
      if (score > bestScore) { best = i; bestScore = score; }
      from = i + 1;
    }
    return best < 0 ? null : { start: best, end: best + q.length };
  }

  // Wraps the page's characters start..end in <mark>s, one per text node.
  function highlight(page, span, id) {
    var pieces = [];
    for (var i = span.start; i < span.end; i++) {
      var node = page.at[i][0], offset = page.at[i][1];
      var last = pieces[pieces.length - 1];
      if (last && last.node === node) { last.end = offset + 1; } else { pieces.push({ node: node, start: offset, end: offset + 1 }); }
    }
    // From the last piece back, so that splitting a node keeps the earlier offsets.
    for (var p = pieces.length - 1; p >= 0; p--) {
      var piece = pieces[p];
      var range = document.createRange();
      range.setStart(piece.node, piece.start);
      range.setEnd(piece.node, piece.end);
      var mark = el("mark", "ouvrage-comment");
      mark.setAttribute("data-thread", id);
      mark.title = "comment " + id.slice(0, 10);
      try { range.surroundContents(mark); } catch (e) { /* a node that cannot be wrapped */ }
    }
  }

  function unhighlight() {
    var marks = article.querySelectorAll("mark.ouvrage-comment");
    Array.prototype.forEach.call(marks, function (m) {
      var parent = m.parentNode;
      while (m.firstChild) { parent.insertBefore(m.firstChild, m); }
      parent.removeChild(m);
      parent.normalize();
    });
  }

  article.addEventListener("click", function (e) {
    var mark = e.target.closest && e.target.closest("mark.ouvrage-comment");
    if (!mark) { return; }
    var card = document.getElementById("ouvrage-thread-" + mark.getAttribute("data-thread"));
    if (card) {
      Array.prototype.forEach.call(list.querySelectorAll(".current"), function (c) { c.classList.remove("current"); });
      card.classList.add("current");
      card.scrollIntoView({ block: "nearest" });
    }
  });

  function post(ask, onError) {
    return fetch("/__ouvrage/comments", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Ouvrage-Token": token },
      body: JSON.stringify(ask),
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) {
          var why = data.error || ("refused (" + r.status + ")");
          if (data.hints && data.hints.length) { why += "\n" + data.hints.join("\n"); }
          onError(why);
          return null;
        }
        window.ouvrageRecorded = (window.ouvrageRecorded || 0) + 1;
        // The panel is listed again when the build has the event (a
        // `comments` event); this asks at once too.
        refresh();
        return data;
      });
    }).catch(function (e) { onError(String(e)); return null; });
  }

  function date(iso) { return iso ? iso.slice(0, 10) : ""; }

  function threadCard(t) {
    var card = el("div", "ouvrage-thread" + (t.open ? "" : " resolved"));
    card.id = "ouvrage-thread-" + t.id;
    card.setAttribute("data-thread", t.id);
    card.appendChild(el("p", "ouvrage-quote", t.quote.exact));
    var state = t.open ? "open" : "resolved";
    if (t.anchored === "fuzzy") { state += ", the quoted text changed"; }
    card.appendChild(el("div", "ouvrage-meta", t.author + " · " + date(t.date) + " · " + state));
    if (t.unverified) { card.appendChild(el("div", "ouvrage-error", "unverified: " + t.unverified)); }
    card.appendChild(el("div", "ouvrage-body", t.body));
    if (t.suggestion) {
      card.appendChild(el("div", "ouvrage-suggestion", "suggests: " + t.suggestion.text +
        (t.suggestion.applies ? "" : " (no longer applies: the text changed)")));
    }
    (t.events || []).forEach(function (e) {
      var ev = el("div", "ouvrage-event ouvrage-event-" + e.kind);
      ev.appendChild(el("div", "ouvrage-meta", e.author + " " + e.kind + " · " + date(e.date) +
        (e.unverified ? " (unverified: " + e.unverified + ")" : "")));
      if (e.body) { ev.appendChild(el("div", "ouvrage-body", e.body)); }
      card.appendChild(ev);
    });
    var error = el("div", "ouvrage-error");
    var reply = el("textarea");
    reply.rows = 2;
    reply.placeholder = "Reply";
    reply.className = "ouvrage-reply-text";
    var send = el("button", "ouvrage-reply", "Reply");
    send.type = "button";
    send.addEventListener("click", function () {
      error.textContent = "";
      post({ action: "reply", thread: t.id, body: reply.value }, function (why) { error.textContent = why; })
        .then(function (ok) { if (ok) { reply.value = ""; } });
    });
    var toggle = el("button", t.open ? "ouvrage-resolve" : "ouvrage-reopen", t.open ? "Resolve" : "Reopen");
    toggle.type = "button";
    toggle.addEventListener("click", function () {
      error.textContent = "";
      post({ action: t.open ? "resolve" : "reopen", thread: t.id, body: reply.value },
        function (why) { error.textContent = why; });
    });
    card.appendChild(reply);
    card.appendChild(send);
    card.appendChild(toggle);
    card.appendChild(error);
    return card;
  }

  function render(data) {
    unhighlight();
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var comments = data.comments || [];
    var page = projectPage();
    var open = 0, placed = [], orphans = [];
    comments.forEach(function (t) {
      if (t.open) { open++; }
      if (t.anchored === "orphaned" || !t.now) { orphans.push(t); return; }
      placed.push(t);
      if (t.open) {
        var span = findInPage(page, t);
        if (span) { t.inPage = span; }
      }
    });
    // Highlights from the last in the page back, each on the page as it is.
    placed.filter(function (t) { return t.inPage; })
      .sort(function (a, b) { return b.inPage.start - a.inPage.start; })
      // Marks split text nodes but leave the letters where they were: the
      // spans found hold, the nodes are read again for each.
      .forEach(function (t) { highlight(projectPage(), t.inPage, t.id); });
    title.textContent = "Comments (" + open + " open)";
    placed.forEach(function (t) { list.appendChild(threadCard(t)); });
    if (orphans.length) {
      list.appendChild(el("h3", null, "Orphaned: their text is no longer in the chapter"));
      orphans.forEach(function (t) { list.appendChild(threadCard(t)); });
    }
    if (!comments.length) { list.appendChild(el("p", "ouvrage-meta", "No comments yet.")); }
    window.ouvrageComments = comments.length;
  }

  function refresh() {
    return fetch("/__ouvrage/comments?chapter=" + encodeURIComponent(chapter))
      .then(function (r) { return r.ok ? r.json() : { comments: [] }; })
      .then(render)
      .catch(function () {});
  }

  // A selection in the chapter: a button by it opens the comment form.
  var button = el("button", null, "Comment");
  button.id = "ouvrage-comment-button";
  button.type = "button";
  button.hidden = true;
  document.body.appendChild(button);
  var selected = null;

  function context(range) {
    var before = document.createRange();
    before.setStart(article, 0);
    before.setEnd(range.startContainer, range.startOffset);
    var after = document.createRange();
    after.setStart(range.endContainer, range.endOffset);
    after.setEnd(article, article.childNodes.length);
    return { prefix: textOf(before).slice(-CONTEXT), suffix: textOf(after).slice(0, CONTEXT) };
  }

  document.addEventListener("mouseup", function () {
    setTimeout(function () {
      var sel = window.getSelection();
      if (!sel || sel.isCollapsed || !sel.rangeCount) { button.hidden = true; return; }
      var range = sel.getRangeAt(0);
      if (!article.contains(range.commonAncestorContainer)) { button.hidden = true; return; }
      var c = context(range);
      selected = { exact: textOf(range), prefix: c.prefix, suffix: c.suffix };
      var box = range.getBoundingClientRect();
      button.style.left = (window.scrollX + box.left) + "px";
      button.style.top = (window.scrollY + box.bottom + 4) + "px";
      button.hidden = false;
    }, 0);
  });

  function openForm(sel) {
    while (form.firstChild) { form.removeChild(form.firstChild); }
    form.appendChild(el("h3", null, "New comment"));
    form.appendChild(el("p", "ouvrage-quote", sel.exact));
    var body = el("textarea");
    body.id = "ouvrage-new-body";
    body.rows = 4;
    body.placeholder = "Your comment (Markdown)";
    var suggest = el("input");
    suggest.type = "text";
    suggest.id = "ouvrage-new-suggestion";
    suggest.placeholder = "Suggested replacement (optional)";
    var error = el("div", "ouvrage-error");
    var save = el("button", null, "Save comment");
    save.id = "ouvrage-new-save";
    save.type = "button";
    var cancel = el("button", null, "Cancel");
    cancel.type = "button";
    cancel.addEventListener("click", function () { while (form.firstChild) { form.removeChild(form.firstChild); } });
    save.addEventListener("click", function () {
      error.textContent = "";
      save.disabled = true;
      post({
        action: "comment", chapter: chapter, exact: sel.exact, prefix: sel.prefix,
        suffix: sel.suffix, body: body.value, suggestion: suggest.value,
      }, function (why) { error.textContent = why; }).then(function (ok) {
        save.disabled = false;
        if (ok) { while (form.firstChild) { form.removeChild(form.firstChild); } }
      });
    });
    form.appendChild(body);
    form.appendChild(suggest);
    form.appendChild(save);
    form.appendChild(cancel);
    form.appendChild(error);
    body.focus();
  }

  button.addEventListener("mousedown", function (e) { e.preventDefault(); });
  button.addEventListener("click", function () {
    button.hidden = true;
    if (selected) { panel.classList.remove("folded"); openForm(selected); }
  });

  // The build has new comments for this chapter: list them again.
  if (window.ouvrageEvents) {
    window.ouvrageEvents.addEventListener("comments", function (e) {
      var data = JSON.parse(e.data);
      if ((data.chapters || []).indexOf(chapter) >= 0) { refresh(); }
    });
  }
  window.ouvrageReview = { refresh: refresh, openForm: openForm };
  refresh();
})();
