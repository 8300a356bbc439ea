// Karaoke: the clip's lyrics_timing_markers ({word, start_s, end_s}) as words in sung order, laid out in
// the lyric sheet's lines and sections, the word being sung highlighted as the audio plays.

const GAP_S = 1.5; // after a word ends, keep it lit this long unless the next one starts sooner
const norm = (text) => text.toLowerCase().normalize("NFKD").replace(/[^\p{L}\p{N}']/gu, "");

/** The lyric sheet as a stream of tokens: {text, key, line} words and {section} headings. */
function tokensOf(lyrics) {
  const tokens = [];
  (lyrics || "").split(/\r?\n/).forEach((raw, line) => {
    const heading = /^\s*\[([^\]]*)\]\s*$/.exec(raw);
    if (heading) {
      tokens.push({ section: heading[1] });
      return;
    }
    for (const text of raw.replace(/\[[^\]]*\]/g, " ").split(/\s+/)) {
      const key = norm(text);
      if (key) tokens.push({ text, key, line });
    }
  });
  return tokens;
}

export class Karaoke {
  constructor(root, onSeek) {
    this.root = root;
    this.onSeek = onSeek;
    this.markers = [];
    this.spans = [];
    this.current = -1;
    root.addEventListener("click", (event) => {
      const index = event.target.dataset?.index;
      if (index !== undefined) this.onSeek(this.markers[Number(index)].start_s);
    });
  }

  render(lyrics, markers) {
    this.root.replaceChildren();
    this.markers = (markers || []).filter((m) => m && typeof m.start_s === "number");
    this.spans = [];
    this.current = -1;
    if (!this.markers.length) {
      const text = (lyrics || "").trim();
      const p = document.createElement("p");
      p.className = "plain";
      p.textContent = text ? text : "No sung words in this clip.";
      p.style.whiteSpace = "pre-line";
      this.root.append(p);
      return;
    }
    const tokens = tokensOf(lyrics);
    let at = 0;
    let lineOf = null;
    let line = null;
    const newLine = () => {
      line = document.createElement("span");
      line.className = "line";
      this.root.append(line);
    };
    this.markers.forEach((marker, index) => {
      const key = norm(marker.word);
      let found = findFrom(tokens, key, at);
      if (found < 0) found = findFrom(tokens, key, 0); // sung again (a repeated chorus)
      let text = marker.word;
      if (found >= 0) {
        const back = found < at;
        for (let i = back ? 0 : at; i < found; i += 1) {
          if (tokens[i].section !== undefined) this.heading(tokens[i].section);
        }
        if (back || !line || tokens[found].line !== lineOf || this.root.lastChild !== line) newLine();
        lineOf = tokens[found].line;
        text = tokens[found].text;
        at = found + 1;
      } else if (!line) {
        newLine();
      }
      const span = document.createElement("span");
      span.className = "word";
      span.textContent = text;
      span.dataset.index = String(index);
      span.title = `${marker.start_s.toFixed(1)} s`;
      line.append(span, " ");
      this.spans.push(span);
    });
  }

  heading(name) {
    const h = document.createElement("span");
    h.className = "section";
    h.textContent = name;
    this.root.append(h);
  }

  /** Light the word sung at `time` (seconds); the words before it are marked sung. */
  update(time) {
    let index = -1;
    let lo = 0;
    let hi = this.markers.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.markers[mid].start_s <= time) {
        index = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const lit = index >= 0 && time <= this.markers[index].end_s + GAP_S ? index : -1;
    if (lit === this.current && this.sungUpTo === index) return;
    this.spans.forEach((span, i) => {
      span.classList.toggle("sung", i <= index);
      span.classList.toggle("current", i === lit);
    });
    this.current = lit;
    this.sungUpTo = index;
    if (lit >= 0) this.reveal(this.spans[lit]);
  }

  reveal(span) {
    const box = this.root;
    const top = span.offsetTop; // the box is positioned: offsets are within it
    if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - span.offsetHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  currentWord() {
    return this.current >= 0 ? this.markers[this.current].word : null;
  }
}

function findFrom(tokens, key, start) {
  for (let i = start; i < tokens.length; i += 1) {
    if (tokens[i].key === key) return i;
  }
  return -1;
}
