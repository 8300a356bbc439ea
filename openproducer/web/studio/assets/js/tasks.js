// Running tasks: one row each with the poll's stage and percent, and stage changes read out (aria-live).

import { TaskFailed } from "./api.js";

const LABELS = {
  create_music: "New song", extend_music: "Extend", replace_music: "Replace", cover_music: "Cover",
  music_variation: "Variation", swap_music_vocals: "Swap vocals", swap_music_sound: "Swap sound",
  extend_upload_music: "Extend upload", replace_upload_music: "Replace in upload", upload: "Upload",
  stems: "Stems", midi: "MIDI", load: "Task",
};
const KEEP = 6;

export class Tasks {
  constructor(api, list, empty, announcer) {
    this.api = api;
    this.list = list;
    this.empty = empty;
    this.announcer = announcer;
    this.running = 0;
  }

  announce(text) {
    // A fresh text node each time, so the same words twice are still read.
    this.announcer.textContent = "";
    setTimeout(() => { this.announcer.textContent = text; }, 50);
  }

  /** Follow a task to its end; resolves with its final body. `kind` names it (a task type or "upload"). */
  async follow(taskId, kind, { title = "", pollPath } = {}) {
    const name = `${LABELS[kind] || kind}${title ? `: ${title}` : ""}`;
    const row = document.createElement("li");
    row.className = "task";
    row.dataset.taskId = taskId;
    const head = document.createElement("div");
    head.className = "task-head";
    const label = document.createElement("span");
    label.className = "task-name";
    label.textContent = name;
    const stage = document.createElement("span");
    stage.className = "task-stage";
    stage.textContent = "sent";
    head.append(label, stage);
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", `${name}: progress`);
    row.append(head, bar);
    this.list.prepend(row);
    this.running += 1;
    this.empty.hidden = true;
    this.announce(`${name}: sent.`);

    let lastStage = null;
    const onProgress = (body) => {
      const words = body.stage || (body.status === "PENDING" ? "queued" : "running");
      const percent = Number.isFinite(body.progress) ? body.progress : 0;
      stage.textContent = `${words} · ${percent}%`;
      bar.value = percent;
      bar.setAttribute("aria-valuetext", `${words}, ${percent} percent`);
      row.dataset.stage = words;
      row.dataset.sawProgress = "true";
      if (words !== lastStage) {
        lastStage = words;
        this.announce(`${name}: ${words}, ${percent} percent.`);
      }
    };
    try {
      const body = await this.api.waitTask(taskId, { onProgress, pollPath });
      row.classList.add("done");
      stage.textContent = "done · 100%";
      bar.value = 100;
      bar.setAttribute("aria-valuetext", "done");
      if (kind !== "stems" && kind !== "midi") {
        const open = document.createElement("a");
        open.href = "#player";
        open.className = "task-open";
        open.textContent = "Go to the player";
        row.append(open);
      }
      this.announce(`${name}: ready.`);
      return body;
    } catch (error) {
      row.classList.add("failed");
      const why = error instanceof TaskFailed ? error.message : `${error.message}`;
      stage.textContent = `failed: ${why}`;
      bar.hidden = true;
      this.announce(`${name} failed: ${why}`);
      throw error;
    } finally {
      this.running -= 1;
      // Finished rows stay (their outcome can be read), the oldest go beyond KEEP.
      while (this.list.children.length > KEEP) this.list.lastChild.remove();
    }
  }
}
