// The waveform: the clip decoded with Web Audio (decodeAudioData), its peaks drawn on a canvas, with a
// point (click; where an extend starts) and a region (drag; what a replace replaces), both also set
// from the keyboard. Events: "seek" {time}, "change" {point, region}, "toggle" (Space).

const BUCKETS = 1600;
const DRAG_PX = 4;
const round = (t) => Math.round(t * 10) / 10;

export class Waveform extends EventTarget {
  constructor(canvas, status) {
    super();
    this.canvas = canvas;
    this.status = status;
    this.duration = 0;
    this.peaks = null;
    this.point = null;
    this.region = null;
    this.time = 0;
    this.loading = null;
    new ResizeObserver(() => this.draw()).observe(canvas);
    canvas.addEventListener("pointerdown", (event) => this.onDown(event));
    canvas.addEventListener("pointermove", (event) => this.onMove(event));
    canvas.addEventListener("pointerup", (event) => this.onUp(event));
    canvas.addEventListener("pointercancel", () => { this.drag = null; });
    canvas.addEventListener("keydown", (event) => this.onKey(event));
  }

  /** Fetch and decode `url`; `duration` (the clip's) maps times to pixels. */
  async load(url, duration) {
    this.loading?.abort();
    const controller = (this.loading = new AbortController());
    this.duration = duration;
    this.peaks = null;
    this.point = null;
    this.region = null;
    this.time = 0;
    this.say("Drawing the waveform…");
    this.draw();
    this.announce();
    try {
      const bytes = await fetchBytes(url, controller.signal);
      const context = new OfflineAudioContext(1, 1, 44100);
      const audio = await context.decodeAudioData(bytes);
      if (controller.signal.aborted) return;
      this.peaks = peaksOf(audio);
      this.decoded = audio.duration;
      this.say("");
    } catch (error) {
      if (controller.signal.aborted) return;
      this.say(`The waveform could not be drawn (${error.message}); the player still works.`);
    }
    this.draw();
  }

  say(text) {
    this.status.textContent = text;
    this.status.hidden = !text;
  }

  setTime(time) {
    this.time = time;
    this.draw();
  }

  setPoint(time, emit = true) {
    this.point = time == null || Number.isNaN(time) ? null : this.clamp(round(time));
    this.changed(emit);
  }

  setRegion(start, end, emit = true) {
    if (start == null || end == null || Number.isNaN(start) || Number.isNaN(end)) this.region = null;
    else {
      const [a, b] = [this.clamp(round(start)), this.clamp(round(end))].sort((x, y) => x - y);
      this.region = { start: a, end: b };
    }
    this.changed(emit);
  }

  changed(emit) {
    this.draw();
    this.announce();
    if (emit) this.dispatchEvent(new CustomEvent("change", { detail: { point: this.point, region: this.region } }));
  }

  announce() {
    const c = this.canvas;
    c.setAttribute("aria-valuemax", String(round(this.duration)));
    c.setAttribute("aria-valuenow", String(this.point ?? 0));
    const region = this.region ? `; region ${this.region.start} to ${this.region.end} seconds` : "; no region";
    c.setAttribute("aria-valuetext", `point ${this.point ?? "not set"}${this.point == null ? "" : " seconds"}${region}`);
  }

  clamp(time) {
    return Math.min(Math.max(time, 0), this.duration || 0);
  }

  timeAt(event) {
    const box = this.canvas.getBoundingClientRect();
    return this.clamp(((event.clientX - box.left) / Math.max(box.width, 1)) * this.duration);
  }

  onDown(event) {
    if (!this.duration || event.button > 0) return;
    this.canvas.setPointerCapture(event.pointerId);
    this.drag = { x: event.clientX, time: this.timeAt(event), moved: false };
  }

  onMove(event) {
    if (!this.drag) return;
    if (!this.drag.moved && Math.abs(event.clientX - this.drag.x) < DRAG_PX) return;
    this.drag.moved = true;
    this.setRegion(this.drag.time, this.timeAt(event), false);
  }

  onUp(event) {
    const drag = this.drag;
    this.drag = null;
    if (!drag) return;
    this.canvas.focus({ preventScroll: true });
    if (drag.moved) {
      this.setRegion(drag.time, this.timeAt(event));
      return;
    }
    this.setPoint(drag.time);
    this.dispatchEvent(new CustomEvent("seek", { detail: { time: this.point } }));
  }

  onKey(event) {
    if (!this.duration) return;
    const step = event.shiftKey ? 0.1 : 1;
    const at = this.point ?? this.time;
    const moves = {
      ArrowLeft: at - step, ArrowDown: at - step, ArrowRight: at + step, ArrowUp: at + step,
      PageDown: at - 5, PageUp: at + 5, Home: 0, End: this.duration,
    };
    if (event.key in moves) {
      this.setPoint(moves[event.key]);
    } else if (event.key === "[" || event.key === "]") {
      const other = this.region ? (event.key === "[" ? this.region.end : this.region.start) : null;
      const fallback = event.key === "[" ? this.duration : 0;
      const here = this.point ?? 0;
      if (event.key === "[") this.setRegion(here, Math.max(other ?? fallback, here));
      else this.setRegion(Math.min(other ?? fallback, here), here);
    } else if (event.key === " " || event.key === "Enter") {
      if (event.key === "Enter" && this.point != null) {
        this.dispatchEvent(new CustomEvent("seek", { detail: { time: this.point } }));
      } else {
        this.dispatchEvent(new Event("toggle"));
      }
    } else {
      return;
    }
    event.preventDefault();
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(c.clientWidth * dpr));
    const height = Math.max(1, Math.round(c.clientHeight * dpr));
    if (c.width !== width || c.height !== height) {
      c.width = width;
      c.height = height;
    }
    const g = c.getContext("2d");
    const css = getComputedStyle(c);
    const color = (name) => css.getPropertyValue(name).trim();
    g.clearRect(0, 0, width, height);
    if (!this.duration) return;
    const x = (t) => (t / this.duration) * width;

    if (this.region) {
      g.fillStyle = color("--region");
      g.fillRect(x(this.region.start), 0, Math.max(1, x(this.region.end) - x(this.region.start)), height);
    }
    if (this.peaks) {
      const mid = height / 2;
      const played = x(this.time);
      const scale = (this.decoded || this.duration) / this.duration;
      const bar = Math.max(1, Math.floor(dpr));
      for (let px = 0; px < width; px += bar + 1) {
        const from = Math.floor((px / width / scale) * BUCKETS);
        const to = Math.max(from + 1, Math.floor(((px + bar) / width / scale) * BUCKETS));
        if (from >= BUCKETS) break;
        let peak = 0;
        for (let i = from; i < Math.min(to, BUCKETS); i += 1) peak = Math.max(peak, this.peaks[i]);
        const h = Math.max(1, peak * (height - 8 * dpr));
        g.fillStyle = px < played ? color("--wave-played") : color("--wave");
        g.fillRect(px, mid - h / 2, bar, h);
      }
    }
    if (this.region) {
      g.fillStyle = color("--wave-played");
      g.fillRect(x(this.region.start) - dpr / 2, 0, dpr, height);
      g.fillRect(x(this.region.end) - dpr / 2, 0, dpr, height);
    }
    if (this.point != null) {
      const px = x(this.point);
      g.fillStyle = color("--point");
      g.fillRect(px - dpr, 0, 2 * dpr, height);
      g.beginPath();
      g.moveTo(px - 6 * dpr, 0);
      g.lineTo(px + 6 * dpr, 0);
      g.lineTo(px, 8 * dpr);
      g.fill();
    }
    g.fillStyle = color("--playhead");
    g.fillRect(x(this.time) - dpr / 2, 0, Math.max(1, dpr), height);
  }
}

/** The loudest sample of each of BUCKETS slices, the channels averaged, scaled to the loudest slice. */
function peaksOf(audio) {
  const channels = Array.from({ length: audio.numberOfChannels }, (_, i) => audio.getChannelData(i));
  const peaks = new Float32Array(BUCKETS);
  const per = audio.length / BUCKETS;
  for (let b = 0; b < BUCKETS; b += 1) {
    const start = Math.floor(b * per);
    const end = Math.min(audio.length, Math.floor((b + 1) * per));
    let peak = 0;
    for (let i = start; i < end; i += 1) {
      let sum = 0;
      for (const data of channels) sum += data[i];
      peak = Math.max(peak, Math.abs(sum / channels.length));
    }
    peaks[b] = peak;
  }
  const top = peaks.reduce((a, b) => Math.max(a, b), 0) || 1;
  return peaks.map((p) => p / top);
}

/** The file's bytes. Media URLs carry the server's public base URL; when that is another origin that
 * does not allow this page to read it, the same path on this page's origin is tried. */
async function fetchBytes(url, signal) {
  try {
    const response = await fetch(url, { signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.arrayBuffer();
  } catch (error) {
    const local = new URL(url, location.href);
    if (signal.aborted || local.origin === location.origin) throw error;
    const response = await fetch(local.pathname, { signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.arrayBuffer();
  }
}
