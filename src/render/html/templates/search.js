/* ouvrage: offline search for the HTML site.
 *
 * No library, nothing from another host. The index is loaded on the first
 * focus of (or typing in) the search box: search-index.json through fetch(),
 * or, where fetch() cannot read files (pages opened from file://),
 * search-index.js, which sets window.OUVRAGE_SEARCH_INDEX to the same object:
 *
 *   {"docs": [{"chapter": "…", "section": "…" or "", "url": "x.html#id",
 *              "text": "plain text of that section"}]}
 *
 * Index text is only ever put in the page as text nodes (textContent,
 * createTextNode), never parsed as HTML.
 *
 * The box is an ARIA combobox and the results its listbox: each result is
 * an option holding no link (a link inside an option is an interactive
 * element inside another), with its page's URL in data-href. Arrow keys
 * move the active option, Home and End jump, Enter or a click follows it.
 *
 * The pure functions (normalisation, query parsing, ranking, excerpts) are
 * exported under Node for tests: `require("./search.js")`.
 */
(function () {
  'use strict';

  var MAX_RESULTS = 20;
  var DEBOUNCE_MS = 100;
  var EXCERPT_BEFORE = 60;   // characters of context before the first match
  var EXCERPT_LENGTH = 180;  // characters of the whole excerpt, about

  /* ---------------------------------------------------------------- */
  /* Normalisation                                                     */
  /* ---------------------------------------------------------------- */

  var MARKS = /\p{M}/gu;
  var COMBINING = /^\p{M}$/u;
  // After lowercasing: the same letters however they are typed.
  var FOLD = {
    '\u2019': "'", '\u2018': "'", '\u02bc': "'", '\u2032': "'", '`': "'",
    '\u00a0': ' ', '\u202f': ' ', '\u2007': ' ', '\u2009': ' ', '\u2008': ' ',
    '\u0153': 'oe', '\u00e6': 'ae', '\u00df': 'ss', '\u03c2': '\u03c3',
    '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-',
    '\ufb01': 'fi', '\ufb02': 'fl', '\ufb00': 'ff', '\ufb03': 'ffi', '\ufb04': 'ffl'
  };
  var FOLD_RE = /[\u2019\u2018\u02bc\u2032`\u00a0\u202f\u2007\u2009\u2008\u0153\u00e6\u00df\u03c2\u2010-\u2014\ufb00-\ufb04]/g;

  function fold(s) {
    return s.replace(FOLD_RE, function (c) { return FOLD[c] || c; });
  }

  /** Lowercase, without diacritics, with typographic variants folded:
   *  "L’Économie" and "l'economie" are the same string. */
  function normalize(s) {
    return fold(String(s).normalize('NFD').replace(MARKS, '').toLowerCase()
      .replace(MARKS, ''));
  }

  /** normalize(), and for each UTF-16 unit of the result the index of the
   *  UTF-16 unit of `s` it comes from, plus a last entry for the end. It
   *  gives the same string as normalize(): characters are handled one by
   *  one, and the marks that canonical reordering would move are dropped. */
  function normalizeWithMap(s) {
    s = String(s);
    var out = '';
    var map = [];
    var i = 0;
    while (i < s.length) {
      var cp = s.codePointAt(i);
      var len = cp > 0xffff ? 2 : 1;
      var n = normalize(s.slice(i, i + len));
      for (var k = 0; k < n.length; k++) map.push(i);
      out += n;
      i += len;
    }
    map.push(s.length);
    return { text: out, map: map };
  }

  /** The query's terms: normalised, split on spaces, without surrounding
   *  punctuation, without duplicates, longest first. */
  function parseQuery(query) {
    var seen = {};
    var terms = [];
    normalize(query).split(/\s+/).forEach(function (t) {
      t = t.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
      if (t && !seen[t]) {
        seen[t] = true;
        terms.push(t);
      }
    });
    // A term inside a longer one adds nothing.
    terms.sort(function (a, b) { return b.length - a.length; });
    return terms.filter(function (t, i) {
      for (var j = 0; j < i; j++) if (terms[j].indexOf(t) !== -1) return false;
      return true;
    });
  }

  /* ---------------------------------------------------------------- */
  /* Ranking                                                           */
  /* ---------------------------------------------------------------- */

  /** The index's docs with their normalised fields, computed once. */
  function prepare(index) {
    var docs = (index && index.docs) || [];
    return docs.map(function (d, i) {
      var chapter = String(d.chapter || '');
      var section = String(d.section || '');
      var text = String(d.text || '');
      return {
        order: i,
        doc: { chapter: chapter, section: section, url: String(d.url || ''), text: text },
        chapter: normalize(chapter),
        section: normalize(section),
        text: normalize(text)
      };
    });
  }

  function isWordChar(c) {
    return c !== undefined && c !== '' && /[\p{L}\p{N}]/u.test(c);
  }

  function countOccurrences(hay, term, limit) {
    var n = 0;
    var at = hay.indexOf(term);
    while (at !== -1 && n < limit) {
      n++;
      at = hay.indexOf(term, at + term.length);
    }
    return n;
  }

  /** Whether `term` occurs in `hay` at the start of a word. */
  function atWordStart(hay, term) {
    var at = hay.indexOf(term);
    while (at !== -1) {
      if (!isWordChar(hay.charAt(at - 1))) return true;
      at = hay.indexOf(term, at + 1);
    }
    return false;
  }

  /** Score of one prepared doc for the terms, or 0 unless every term occurs
   *  in its chapter title, section title or text. Title and section matches
   *  weigh more than matches in the text. */
  function score(p, terms, phrase) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      var inSection = p.section.indexOf(t) !== -1;
      var inChapter = p.chapter.indexOf(t) !== -1;
      var inText = countOccurrences(p.text, t, 10);
      if (!inSection && !inChapter && !inText) return 0;
      var s = 0;
      if (inSection) s += atWordStart(p.section, t) ? 12 : 8;
      if (inChapter) s += atWordStart(p.chapter, t) ? 8 : 5;
      if (inText) s += 1 + Math.min(inText, 10) * 0.5 + (atWordStart(p.text, t) ? 1 : 0);
      total += s;
    }
    if (terms.length > 1 && phrase) {
      if (p.section.indexOf(phrase) !== -1 || p.chapter.indexOf(phrase) !== -1) total += 10;
      else if (p.text.indexOf(phrase) !== -1) total += 5;
    }
    // The opening of a chapter (no section title) when its title matches.
    if (!p.section && terms.some(function (t) { return p.chapter.indexOf(t) !== -1; })) total += 2;
    return total;
  }

  /** The best docs for `query`: [{doc, score, terms}], at most `limit`. */
  function search(prepared, query, limit) {
    var terms = parseQuery(query);
    if (!terms.length) return [];
    var phrase = normalize(query).replace(/\s+/g, ' ').trim();
    var hits = [];
    for (var i = 0; i < prepared.length; i++) {
      var s = score(prepared[i], terms, phrase);
      if (s > 0) hits.push({ p: prepared[i], score: s });
    }
    hits.sort(function (a, b) { return b.score - a.score || a.p.order - b.p.order; });
    return hits.slice(0, limit || MAX_RESULTS).map(function (h) {
      return { doc: h.p.doc, score: h.score, terms: terms };
    });
  }

  /* ---------------------------------------------------------------- */
  /* Excerpts and highlighting                                         */
  /* ---------------------------------------------------------------- */

  /** The ranges of `s` (original indices, merged, sorted) where the terms
   *  occur, compared normalised. */
  function matchRanges(s, terms) {
    var nm = normalizeWithMap(s);
    var ranges = [];
    terms.forEach(function (t) {
      var at = nm.text.indexOf(t);
      while (at !== -1) {
        // From the character of the first matched unit to the end of the
        // character of the last one (a term may end inside "œ" → "oe"),
        // with the combining marks that follow it.
        var start = nm.map[at];
        var last = nm.map[at + t.length - 1];
        var end = last + (s.codePointAt(last) > 0xffff ? 2 : 1);
        while (end < s.length && COMBINING.test(s.charAt(end))) end++;
        ranges.push([start, end]);
        at = nm.text.indexOf(t, at + t.length);
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return merged;
  }

  /** A piece of `text` around the first match: {text, start, end} where
   *  start/end are its bounds in `text`, cut at spaces. */
  function excerptBounds(text, terms) {
    var ranges = matchRanges(text, terms);
    var first = ranges.length ? ranges[0][0] : 0;
    var start = Math.max(0, first - EXCERPT_BEFORE);
    var end = Math.min(text.length, start + EXCERPT_LENGTH);
    if (end === text.length) start = Math.max(0, end - EXCERPT_LENGTH);
    if (start > 0) {
      var sp = text.indexOf(' ', start);
      if (sp !== -1 && sp < first) start = sp + 1;
    }
    if (end < text.length) {
      var sp2 = text.lastIndexOf(' ', end);
      if (sp2 > Math.max(start, first)) end = sp2;
    }
    // Never cut a surrogate pair.
    if (start > 0 && /[\udc00-\udfff]/.test(text.charAt(start))) start--;
    if (end < text.length && /[\udc00-\udfff]/.test(text.charAt(end))) end++;
    return { text: text.slice(start, end), start: start, end: end };
  }

  /** `s` cut into pieces [{text, match}] for display. */
  function highlightPieces(s, terms) {
    var pieces = [];
    var pos = 0;
    matchRanges(s, terms).forEach(function (r) {
      if (r[0] > pos) pieces.push({ text: s.slice(pos, r[0]), match: false });
      pieces.push({ text: s.slice(r[0], r[1]), match: true });
      pos = r[1];
    });
    if (pos < s.length) pieces.push({ text: s.slice(pos), match: false });
    return pieces;
  }

  /** The excerpt of a doc's text as pieces, with "…" where it is cut. */
  function excerpt(text, terms) {
    var b = excerptBounds(text, terms);
    var pieces = highlightPieces(b.text, terms);
    if (b.start > 0) pieces.unshift({ text: '… ', match: false });
    if (b.end < text.length) pieces.push({ text: ' …', match: false });
    return pieces;
  }

  /** The index holds pages of this site: a URL with a scheme other than
   *  http(s) (javascript:, data:…) becomes "#". Browsers ignore spaces and
   *  control characters in a scheme, so the check does too. */
  function safeUrl(url) {
    var u = String(url).replace(/[\x00-\x20]/g, '');
    return (/^[a-z][a-z0-9+.-]*:/i.test(u) && !/^https?:/i.test(u)) ? '#' : String(url);
  }

  var api = {
    safeUrl: safeUrl,
    normalize: normalize,
    normalizeWithMap: normalizeWithMap,
    parseQuery: parseQuery,
    prepare: prepare,
    score: score,
    search: search,
    matchRanges: matchRanges,
    highlightPieces: highlightPieces,
    excerpt: excerpt
  };

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api;
  }
  if (typeof document === 'undefined') return;

  /* ---------------------------------------------------------------- */
  /* The page                                                          */
  /* ---------------------------------------------------------------- */

  // Index files sit beside this script (the site is flat).
  var scriptSrc = (document.currentScript && document.currentScript.src) || window.location.href;

  var loading = null;
  function loadIndex() {
    if (loading) return loading;
    if (window.OUVRAGE_SEARCH_INDEX) {
      loading = Promise.resolve(prepare(window.OUVRAGE_SEARCH_INDEX));
      return loading;
    }
    var viaFetch = (typeof fetch === 'function')
      ? fetch(new URL('search-index.json', scriptSrc).href).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      : Promise.reject(new Error('no fetch'));
    loading = viaFetch.catch(function () {
      // file:// pages: the same index as a script.
      return new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = new URL('search-index.js', scriptSrc).href;
        s.async = true;
        s.onload = function () {
          if (window.OUVRAGE_SEARCH_INDEX) resolve(window.OUVRAGE_SEARCH_INDEX);
          else reject(new Error('search-index.js did not set OUVRAGE_SEARCH_INDEX'));
        };
        s.onerror = function () { reject(new Error('cannot load search-index.js')); };
        document.head.appendChild(s);
      });
    }).then(prepare, function (err) {
      loading = null; // try again on the next keystroke
      throw err;
    });
    return loading;
  }

  function init() {
    var input = document.getElementById('search-input');
    var list = document.getElementById('search-results');
    if (!input || !list) return;
    var form = input.form;
    var noResults = list.getAttribute('data-no-results') || '';
    var active = -1;
    var timer = null;
    var lastQuery = null;

    function options() {
      return list.querySelectorAll('[role="option"]:not([aria-disabled="true"])');
    }

    function open() {
      if (!list.firstChild) return;
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      setActive(-1);
    }

    function setActive(i) {
      var opts = options();
      if (active >= 0 && opts[active]) opts[active].setAttribute('aria-selected', 'false');
      active = i;
      if (i >= 0 && opts[i]) {
        opts[i].setAttribute('aria-selected', 'true');
        input.setAttribute('aria-activedescendant', opts[i].id);
        opts[i].scrollIntoView({ block: 'nearest' });
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }

    function append(parent, pieces) {
      pieces.forEach(function (piece) {
        if (piece.match) {
          var m = document.createElement('mark');
          m.textContent = piece.text;
          parent.appendChild(m);
        } else {
          parent.appendChild(document.createTextNode(piece.text));
        }
      });
    }

    function span(cls, pieces) {
      var el = document.createElement('span');
      el.className = cls;
      append(el, pieces);
      return el;
    }

    function render(hits) {
      active = -1;
      input.removeAttribute('aria-activedescendant');
      while (list.firstChild) list.removeChild(list.firstChild);
      if (!hits.length) {
        var li = document.createElement('li');
        li.className = 'search-no-results';
        li.setAttribute('role', 'option');
        li.setAttribute('aria-disabled', 'true');
        li.textContent = noResults;
        list.appendChild(li);
        return;
      }
      hits.forEach(function (hit, i) {
        var d = hit.doc;
        var li = document.createElement('li');
        li.id = 'search-result-' + i;
        li.className = 'search-result';
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.setAttribute('data-href', safeUrl(d.url));
        li.appendChild(span('search-result-chapter', highlightPieces(d.chapter, hit.terms)));
        if (d.section && d.section !== d.chapter) {
          li.appendChild(span('search-result-section', highlightPieces(d.section, hit.terms)));
        }
        if (d.text) li.appendChild(span('search-result-excerpt', excerpt(d.text, hit.terms)));
        list.appendChild(li);
      });
    }

    function run() {
      var query = input.value;
      if (!parseQuery(query).length) {
        lastQuery = query;
        while (list.firstChild) list.removeChild(list.firstChild);
        close();
        return;
      }
      loadIndex().then(function (prepared) {
        if (input.value !== query) return; // a newer query is on its way
        lastQuery = query;
        render(search(prepared, query, MAX_RESULTS));
        if (document.activeElement === input) open();
      }, function (err) {
        if (window.console) window.console.warn('ouvrage search:', err && err.message);
      });
    }

    /** Goes to the page of an option (the active one, else the first). */
    function follow(li) {
      var href = li && li.getAttribute('data-href');
      if (!href) return;
      close();
      // Resolved against the script's folder, where the pages are.
      window.location.href = new URL(href, scriptSrc).href;
    }

    input.addEventListener('focus', function () {
      loadIndex().catch(function () {});
      if (input.value && lastQuery === input.value) open();
    });

    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(run, DEBOUNCE_MS);
    });

    input.addEventListener('keydown', function (e) {
      var n = options().length;
      switch (e.key) {
        case 'ArrowDown':
          e.preventDefault();
          if (list.hidden) { open(); if (!list.hidden) setActive(n ? 0 : -1); return; }
          if (n) setActive(active + 1 < n ? active + 1 : 0);
          break;
        case 'ArrowUp':
          e.preventDefault();
          if (list.hidden) { open(); if (!list.hidden) setActive(n ? n - 1 : -1); return; }
          if (n) setActive(active > 0 ? active - 1 : n - 1);
          break;
        case 'Enter':
          e.preventDefault();
          clearTimeout(timer);
          if (lastQuery !== input.value) { run(); return; }
          follow(options()[active >= 0 ? active : 0]);
          break;
        case 'Home':
        case 'End':
          // In an open list they move to the first or last option; in a
          // closed one they move the caret, as in any text box.
          if (list.hidden || !n) return;
          e.preventDefault();
          setActive(e.key === 'Home' ? 0 : n - 1);
          break;
        case 'Escape':
          if (!list.hidden) {
            e.preventDefault();
            close();
          } else if (input.value) {
            e.preventDefault();
            input.value = '';
            lastQuery = '';
            while (list.firstChild) list.removeChild(list.firstChild);
          }
          break;
        default:
          break;
      }
    });

    if (form) {
      form.addEventListener('submit', function (e) { e.preventDefault(); });
      // Close when the focus leaves the form (a click elsewhere, Tab).
      form.addEventListener('focusout', function (e) {
        if (!e.relatedTarget || !form.contains(e.relatedTarget)) {
          setTimeout(function () {
            if (!form.contains(document.activeElement)) close();
          }, 0);
        }
      });
    }

    // Keep the focus in the input when a result is pressed with the mouse,
    // so that the list stays open until the click follows the result.
    list.addEventListener('mousedown', function (e) { e.preventDefault(); });
    list.addEventListener('click', function (e) {
      var li = e.target.closest && e.target.closest('[role="option"]');
      if (li && li.getAttribute('aria-disabled') !== 'true') follow(li);
    });

    // The mouse moves the active option too.
    list.addEventListener('mousemove', function (e) {
      var li = e.target.closest && e.target.closest('[role="option"]');
      if (!li || li.getAttribute('aria-disabled') === 'true') return;
      var opts = Array.prototype.indexOf.call(options(), li);
      if (opts !== active) setActive(opts);
    });

    document.addEventListener('click', function (e) {
      if (form && !form.contains(e.target)) close();
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
