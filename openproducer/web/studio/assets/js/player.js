// The player: cover art, the audio element, the waveform with its point and region, karaoke lyrics,
// downloads, and the action buttons (an "action" event {kind, clip, point, region}).

import { Karaoke } from "./karaoke.js";
import { clock } from "./library.js";
import { Waveform } from "./waveform.js";

const $ = (id) => document.getElementById(id);

function slug(text) {
  return (text || "clip").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "").slice(0, 48) || "clip";
}

export class Player extends EventTarget {
  constructor() {
    super();
    this.clip = null;
    this.audio = $("audio");
    this.playButton = $("play");
    this.time = $("time");
    this.waveform = new Waveform($("wave"), $("wave-status"));
    this.karaoke = new Karaoke($("karaoke"), (t) => this.seek(t));
    this.inputs = { point: $("pick-point"), start: $("pick-start"), end: $("pick-end") };

    this.playButton.addEventListener("click", () => this.toggle());
    this.waveform.addEventListener("toggle", () => this.toggle());
    this.waveform.addEventListener("seek", (event) => this.seek(event.detail.time));
    this.waveform.addEventListener("change", () => this.syncInputs());
    this.inputs.point.addEventListener("change", () => this.waveform.setPoint(this.number(this.inputs.point), false));
    for (const input of [this.inputs.start, this.inputs.end]) {
      input.addEventListener("change", () => {
        // One end typed alone: the region runs from the start of the clip, or to its end.
        const start = this.number(this.inputs.start);
        const end = this.number(this.inputs.end);
        if (start == null && end == null) this.waveform.setRegion(null, null, false);
        else this.waveform.setRegion(start ?? 0, end ?? this.waveform.duration, false);
        this.syncInputs();
      });
    }
    for (const name of ["play", "pause", "ended"]) this.audio.addEventListener(name, () => this.playing());
    for (const name of ["timeupdate", "seeked", "loadedmetadata"]) this.audio.addEventListener(name, () => this.tick());
    $("copy-clip-id").addEventListener("click", () => this.copyId());
    document.querySelectorAll("[data-action]").forEach((button) => {
      button.addEventListener("click", () => {
        if (!this.clip) return;
        const detail = { kind: button.dataset.action, clip: this.clip, point: this.waveform.point,
          region: this.waveform.region };
        this.dispatchEvent(new CustomEvent("action", { detail }));
      });
    });
  }

  number(input) {
    return input.value.trim() === "" ? null : Number(input.value);
  }

  show(clip) {
    this.clip = clip;
    $("player-empty").hidden = true;
    $("player-body").hidden = false;
    const title = clip.title || "Untitled";
    $("clip-title").textContent = title;
    const meta = clip.metadata || {};
    $("clip-meta").textContent = [clock(clip.duration), meta.bpm ? `${Math.round(meta.bpm)} bpm` : null, meta.key,
      clip.mv, clip.seed != null ? `seed ${clip.seed}` : null].filter(Boolean).join(" · ");
    $("clip-id").textContent = clip.clip_id;
    const cover = $("cover");
    cover.hidden = !clip.image_url;
    if (clip.image_url) {
      cover.src = clip.image_url;
      cover.alt = `Cover art of ${title}`;
    }
    this.audio.pause();
    this.audio.src = clip.audio_url || "";
    for (const input of Object.values(this.inputs)) {
      input.max = String(clip.duration);
      input.value = "";
    }
    this.waveform.load(clip.audio_url, Number(clip.duration) || 0);
    this.karaoke.render(clip.lyrics, clip.lyrics_timing_markers);
    this.downloads(clip, title);
    $("extra-downloads").replaceChildren();
    $("extras-status").textContent = "";
    this.playing();
    this.tick();
  }

  downloads(clip, title) {
    const list = $("downloads");
    list.replaceChildren();
    const name = `${slug(title)}-${clip.clip_id.slice(0, 8)}`;
    const files = [["MP3", clip.audio_url, "mp3"], ["WAV", clip.wav_url, "wav"], ["MP4 video", clip.video_url, "mp4"],
      ["Cover PNG", clip.image_url, "png"]];
    for (const [label, url, ext] of files) {
      if (!url) continue;
      list.append(link(label, url, `${name}.${ext}`));
    }
  }

  toggle() {
    if (!this.clip) return;
    if (this.audio.paused) {
      this.audio.play().catch((error) => {
        $("wave-status").hidden = false;
        $("wave-status").textContent = `The browser would not play: ${error.message}`;
      });
    } else {
      this.audio.pause();
    }
  }

  seek(time) {
    if (time == null || !this.clip) return;
    this.audio.currentTime = time;
    this.tick();
  }

  playing() {
    const paused = this.audio.paused;
    this.playButton.textContent = paused ? "Play" : "Pause";
    if (!paused && !this.frame) {
      const loop = () => {
        this.tick();
        this.frame = this.audio.paused ? null : requestAnimationFrame(loop);
      };
      this.frame = requestAnimationFrame(loop);
    }
  }

  tick() {
    const now = this.audio.currentTime || 0;
    const total = this.clip ? Number(this.clip.duration) : 0;
    this.time.textContent = `${clock(now)} / ${clock(total)}`;
    this.waveform.setTime(now);
    this.karaoke.update(now);
  }

  syncInputs() {
    const { point, region } = this.waveform;
    this.inputs.point.value = point == null ? "" : point.toFixed(1);
    this.inputs.start.value = region ? region.start.toFixed(1) : "";
    this.inputs.end.value = region ? region.end.toFixed(1) : "";
  }

  async copyId() {
    try {
      await navigator.clipboard.writeText(this.clip.clip_id);
      $("extras-status").textContent = "Clip id copied.";
    } catch {
      const range = document.createRange();
      range.selectNodeContents($("clip-id"));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      $("extras-status").textContent = "Select-all done: press Ctrl+C to copy the id.";
    }
  }
}

export function link(label, url, filename) {
  const item = document.createElement("li");
  const a = document.createElement("a");
  a.href = url;
  a.textContent = label;
  if (filename) a.download = filename;
  a.rel = "noopener";
  item.append(a);
  return item;
}
