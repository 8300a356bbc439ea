// Stems and MIDI: offered only where the server has those routes (its /openapi.json lists them).
//   POST /api/v1/sonic/stems/basic {clip_id} -> {task_id}; GET /api/v1/sonic/task/{id} -> data: [stem clips]
//   POST /api/v1/sonic/midi {clip_id} -> {code, data: {midi_url, instruments}} (code 202 while it is built)

import { link } from "./player.js";

export const STEMS_PATH = "/api/v1/sonic/stems/basic";
export const MIDI_PATH = "/api/v1/sonic/midi";

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Extras {
  constructor(api, tasks, player) {
    this.api = api;
    this.tasks = tasks;
    this.player = player;
    this.stems = $("stems");
    this.midi = $("midi");
    this.status = $("extras-status");
    this.list = $("extra-downloads");
    this.stems.addEventListener("click", () => this.run(() => this.getStems()));
    this.midi.addEventListener("click", () => this.run(() => this.getMidi()));
  }

  async detect() {
    const paths = await this.api.paths();
    this.stems.hidden = !paths.has(STEMS_PATH);
    this.midi.hidden = !paths.has(MIDI_PATH);
  }

  async run(work) {
    const clip = this.player.clip;
    if (!clip) return;
    this.stems.disabled = this.midi.disabled = true;
    try {
      await work(clip);
    } catch (error) {
      this.status.textContent = `Failed: ${error.message}`;
    } finally {
      this.stems.disabled = this.midi.disabled = false;
    }
  }

  async getStems(clip = this.player.clip) {
    this.status.textContent = "Splitting into stems…";
    const { body } = await this.api.request("POST", "sonic/stems/basic", { clip_id: clip.clip_id }, { idempotent: true });
    const done = await this.tasks.follow(body.task_id, "stems", { title: clip.title, pollPath: "sonic/task" });
    const stems = (done.data || []).filter((item) => item && item.audio_url);
    if (this.player.clip?.clip_id !== clip.clip_id) return;
    stems.forEach((stem, i) => {
      const name = stem.stem || stem.title || `Stem ${i + 1}`;
      this.list.append(link(`${name} (MP3)`, stem.audio_url, `${clip.clip_id.slice(0, 8)}-${i + 1}.mp3`));
    });
    this.status.textContent = `${stems.length} stems ready.`;
  }

  async getMidi(clip = this.player.clip) {
    this.status.textContent = "Transcribing to MIDI…";
    for (let attempt = 0; attempt < 90; attempt += 1) {
      const { status, body } = await this.api.request("POST", "sonic/midi", { clip_id: clip.clip_id });
      if (body?.task_id && !body.data) {
        const done = await this.tasks.follow(body.task_id, "midi", { title: clip.title, pollPath: "sonic/task" });
        return this.showMidi(clip, done.data);
      }
      if (status === 200 && (body?.code ?? 200) === 200 && body?.data?.midi_url) return this.showMidi(clip, body.data);
      await sleep(2000);
    }
    throw new Error("the MIDI was not ready in three minutes");
  }

  showMidi(clip, data) {
    const found = Array.isArray(data) ? data[0] : data;
    if (!found?.midi_url) throw new Error("the answer had no midi_url");
    if (this.player.clip?.clip_id !== clip.clip_id) return;
    const parts = Array.isArray(found.instruments) ? found.instruments.length : 0;
    this.list.append(link(`MIDI${parts ? ` (${parts} instruments)` : ""}`, found.midi_url, `${clip.clip_id.slice(0, 8)}.mid`));
    this.status.textContent = "MIDI ready.";
  }
}
