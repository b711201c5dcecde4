/** The site's stylesheet: plain, readable, printable. */
export const siteCss = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1.2rem;background:#1d2330;position:relative}
header a{color:#fff;font-weight:600;text-decoration:none}
#search{flex:1;max-width:28rem;padding:.3rem .5rem}
#results{position:absolute;top:2.6rem;left:12rem;background:#fff;border:1px solid #ccd;list-style:none;margin:0;padding:.3rem;min-width:24rem;max-height:60vh;overflow:auto;z-index:1}
#results a{color:#1d4ed8;font-weight:400}#results li{padding:.2rem .4rem}#results small{color:#667;margin-left:.5rem}
main{padding:1rem 1.5rem;max-width:70rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #dde;padding:.2rem .5rem;text-align:left;vertical-align:top}
pre{background:#f4f5f8;padding:.8rem;overflow:auto}
.none{color:#667}.pii{color:#a3262a;font-weight:600}
svg text{font:12px system-ui,sans-serif}`;

/**
 * The search box: reads the index the page loaded as a script (a file:// page
 * may not fetch JSON), matches every word typed, and builds results with
 * text nodes only, so nothing in the index is read as HTML.
 */
export const searchJs = `(function () {
  var entries = window.SLUICE_DOCS_INDEX || [];
  var box = document.getElementById('search');
  var list = document.getElementById('results');
  box.addEventListener('input', function () {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    list.textContent = '';
    if (!words.length) { list.hidden = true; return; }
    var found = entries.filter(function (e) {
      var text = (e.title + ' ' + e.kind + ' ' + e.text).toLowerCase();
      return words.every(function (w) { return text.indexOf(w) >= 0; });
    }).slice(0, 30);
    found.forEach(function (e) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = e.url; a.textContent = e.title;
      var kind = document.createElement('small'); kind.textContent = e.kind;
      li.appendChild(a); li.appendChild(kind); list.appendChild(li);
    });
    if (!found.length) { var none = document.createElement('li'); none.textContent = 'Nothing matches.'; list.appendChild(none); }
    list.hidden = false;
  });
})();
`;
