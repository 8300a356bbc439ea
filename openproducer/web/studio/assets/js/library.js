// The clips this browser has seen for a key, kept in localStorage, shown as a family tree
// (parent → children, from each clip's metadata.parent_clip_id).

const PREFIX = "openproducer.studio.clips.";
const MAX_CLIPS = 500;

const KINDS = {
  create_music: () => "new song",
  extend_music: (p) => `extended from ${seconds(p.starts_at)}`,
  extend_upload_music: (p) => `extended from ${seconds(p.starts_at)}`,
  replace_music: (p) => `replaced ${seconds(p.starts_at)}–${p.ends_at == null ? "end" : seconds(p.ends_at)}`,
  replace_upload_music: (p) => `replaced ${seconds(p.starts_at)}–${p.ends_at == null ? "end" : seconds(p.ends_at)}`,
  cover_music: () => "cover",
  music_variation: () => "variation",
  swap_music_vocals: () => "vocals swapped",
  swap_music_sound: () => "sound swapped",
  upload: () => "uploaded",
};

const seconds = (value) => (value == null ? "?" : `${Number(value).toFixed(1)} s`);

export function clock(total) {
  const s = Math.max(0, Math.floor(Number(total) || 0)); // whole seconds gone, as audio players count
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** A short, stable name for a key's storage slot (FNV-1a; the key itself is not stored in the name). */
function slotOf(apiKey) {
  let hash = 0x811c9dc5;
  for (const ch of apiKey) {
    hash ^= ch.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return PREFIX + hash.toString(16).padStart(8, "0");
}

export class Library {
  constructor() {
    this.slot = null;
    this.entries = {};
  }

  use(apiKey) {
    this.slot = apiKey ? slotOf(apiKey) : null;
    this.entries = {};
    if (!this.slot) return;
    try {
      const saved = JSON.parse(localStorage.getItem(this.slot) || "{}");
      if (saved && typeof saved.clips === "object") this.entries = saved.clips;
    } catch {
      this.entries = {};
    }
  }

  save() {
    if (!this.slot) return;
    const ids = Object.keys(this.entries);
    if (ids.length > MAX_CLIPS) {
      ids.sort((a, b) => this.entries[a].seen - this.entries[b].seen);
      for (const id of ids.slice(0, ids.length - MAX_CLIPS)) delete this.entries[id];
    }
    try {
      localStorage.setItem(this.slot, JSON.stringify({ version: 1, clips: this.entries }));
    } catch {
      // storage full or disabled: the tree still works for this visit
    }
  }

  /** Remember a clip; `made` is how it was made: {task_type, starts_at, ends_at}. */
  add(clip, made = {}) {
    if (!clip || !clip.clip_id) return;
    const before = this.entries[clip.clip_id];
    this.entries[clip.clip_id] = { clip, made: { ...(before?.made || {}), ...made }, seen: before?.seen || Date.now() };
    this.save();
  }

  forget(id) {
    delete this.entries[id];
    this.save();
  }

  get(id) {
    return this.entries[id]?.clip || null;
  }

  all() {
    return Object.values(this.entries).sort((a, b) => a.seen - b.seen);
  }

  parentOf(entry) {
    const parent = entry.clip.metadata?.parent_clip_id;
    return parent && parent !== entry.clip.clip_id && this.entries[parent] ? parent : null;
  }

  /** The tree into `root` (nested lists); `open(id)` and `forget(id)` are the buttons' actions. */
  render(root, { selected, open, forget }) {
    const children = new Map();
    for (const entry of this.all()) {
      const parent = this.parentOf(entry);
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(entry);
    }
    const seen = new Set();
    const branch = (parentId) => {
      const list = document.createElement("ul");
      for (const entry of children.get(parentId) || []) {
        if (seen.has(entry.clip.clip_id)) continue;
        seen.add(entry.clip.clip_id);
        list.append(this.node(entry, { selected, open, forget }, branch));
      }
      return list;
    };
    root.replaceChildren(...branch(null).children);
  }

  node(entry, { selected, open, forget }, branch) {
    const { clip, made } = entry;
    const item = document.createElement("li");
    item.dataset.clipId = clip.clip_id;
    const row = document.createElement("div");
    row.className = "node";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "node-open";
    const title = document.createElement("span");
    title.className = "node-title";
    title.textContent = clip.title || "Untitled";
    const kind = document.createElement("span");
    kind.className = "node-kind";
    const how = (KINDS[made.task_type] || (() => (clip.metadata?.source === "upload" ? "uploaded" : "clip")))(made);
    kind.textContent = ` · ${how} · ${clock(clip.duration)}`;
    button.append(title, kind);
    if (clip.clip_id === selected) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => open(clip.clip_id));
    const drop = document.createElement("button");
    drop.type = "button";
    drop.className = "node-forget secondary";
    drop.textContent = "Forget";
    drop.setAttribute("aria-label", `Forget ${clip.title || "Untitled"} (${how})`);
    drop.addEventListener("click", () => forget(clip.clip_id));
    row.append(button, drop);
    item.append(row);
    const sub = branch(clip.clip_id);
    if (sub.children.length) {
      sub.setAttribute("aria-label", `Made from ${clip.title || "Untitled"}`);
      item.append(sub);
    }
    return item;
  }
}
