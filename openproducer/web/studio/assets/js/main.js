// OpenProducer Studio: wires the key, the form, tasks, the player and the library together.
// Every request goes through the public API (see the "API calls" panel and "This request as curl").

import { Api, ApiError } from "./api.js";
import { Extras } from "./extras.js";
import { CreateForm, curlOf } from "./form.js";
import { Library } from "./library.js";
import { Player } from "./player.js";
import { Tasks } from "./tasks.js";

const KEY_SLOT = "openproducer.studio.key";
const SELECTED_SLOT = "openproducer.studio.selected";
const $ = (id) => document.getElementById(id);

const store = {
  get: (name) => { try { return localStorage.getItem(name) || ""; } catch { return ""; } },
  set: (name, value) => { try { localStorage.setItem(name, value); } catch { /* private mode */ } },
  drop: (name) => { try { localStorage.removeItem(name); } catch { /* private mode */ } },
};

let apiKey = store.get(KEY_SLOT);
const api = new Api(() => apiKey);
const form = new CreateForm($("create-form"));
const library = new Library();
const player = new Player();
const tasks = new Tasks(api, $("task-list"), $("tasks-empty"), $("announce"));
const extras = new Extras(api, tasks, player);

// ---- the key and the balance -------------------------------------------------------------------------

function keyStatus(text, ok) {
  const status = $("api-key-status");
  status.textContent = text;
  status.className = `status ${ok ? "ok" : "bad"}`;
}

async function refreshCredits() {
  if (!apiKey) {
    $("credit-balance").textContent = "–";
    return false;
  }
  try {
    const { credits, extra_credits: extra } = await api.credits();
    $("credit-balance").textContent = extra ? `${credits} + ${extra} extra` : String(credits);
    return true;
  } catch (error) {
    $("credit-balance").textContent = "–";
    keyStatus(error.status === 401 ? "The server does not know this key." : error.message, false);
    return false;
  }
}

async function useKey(key) {
  apiKey = key;
  library.use(key);
  const selected = library.get(store.get(SELECTED_SLOT));
  if (selected) player.show(selected);
  renderLibrary();
  if (await refreshCredits()) {
    keyStatus("Key in use.", true);
    loadModels();
  }
}

$("key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = $("api-key").value.trim();
  if (!key) {
    keyStatus("Type or paste an API key first.", false);
    $("api-key").focus();
    return;
  }
  const previous = apiKey;
  apiKey = key;
  if (await refreshCredits()) {
    store.set(KEY_SLOT, key);
    await useKey(key);
  } else {
    apiKey = previous;
    $("api-key").focus();
  }
});

$("key-forget").addEventListener("click", () => {
  store.drop(KEY_SLOT);
  apiKey = "";
  $("api-key").value = "";
  library.use(null);
  renderLibrary();
  refreshCredits();
  keyStatus("Key forgotten in this browser. Your clips stay on the server.", true);
});

async function loadModels() {
  try {
    const models = await api.models();
    if (!models.length) return;
    const select = form.field("mv");
    const current = select.value;
    select.replaceChildren(...models.map((model) => {
      const option = new Option(`${model.mv} (${model.engine}${model.available === false ? ", not available" : ""})`,
        model.mv);
      option.disabled = model.available === false;
      return option;
    }));
    select.value = models.some((m) => m.mv === current) ? current : (models.find((m) => m.default)?.mv || models[0].mv);
  } catch {
    // the static list in the page stays
  }
}

// ---- the library -------------------------------------------------------------------------------------

function renderLibrary() {
  const entries = library.all();
  $("library-empty").hidden = entries.length > 0;
  library.render($("tree"), { selected: player.clip?.clip_id, open: openClip, forget: forgetClip });
  $("known-clips").replaceChildren(...entries.map(({ clip }) => new Option(clip.title || "Untitled", clip.clip_id)));
}

function openClip(id, focus = true) {
  const clip = library.get(id);
  if (!clip) return;
  store.set(SELECTED_SLOT, id);
  player.show(clip);
  renderLibrary();
  if (focus) $("player").focus();
}

function forgetClip(id) {
  library.forget(id);
  renderLibrary();
  $("library").focus();
}

/** Put a finished task's clips in the library; open the first unless something is playing. */
function received(body, made) {
  const clips = (body.data || []).filter((clip) => clip && clip.clip_id);
  for (const clip of clips) library.add(clip, made);
  renderLibrary();
  if (clips.length && (player.audio.paused || !player.clip)) openClip(clips[0].clip_id, false);
  return clips;
}

// ---- submitting --------------------------------------------------------------------------------------

function needKey(show) {
  if (apiKey) return false;
  show("Enter your API key at the top of the page first.");
  $("api-key").focus();
  return true;
}

function showSubmitError(error) {
  if (error instanceof ApiError && error.status === 400) {
    form.showProblems(error.problems, error.message);
  } else if (error instanceof ApiError && error.status === 429) {
    form.showProblems([], `Too many requests: try again in ${error.retryAfter || "a few"} seconds.`);
  } else {
    form.showProblems([], error.message);
  }
}

$("create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  form.clearProblems();
  if (needKey((text) => form.showProblems([], text))) return;
  const body = form.body();
  $("curl").textContent = curlOf("producer/create", body);
  const button = $("submit");
  button.disabled = true;
  let taskId;
  try {
    ({ task_id: taskId } = await api.create(body));
  } catch (error) {
    showSubmitError(error);
    return;
  } finally {
    button.disabled = false;
  }
  refreshCredits();
  const made = { task_type: body.task_type, starts_at: body.starts_at, ends_at: body.ends_at };
  try {
    received(await tasks.follow(taskId, body.task_type, { title: body.title || "" }), made);
  } catch {
    // the task row says why
  }
  refreshCredits();
});

$("upload-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const slot = $("upload-error-audio_url");
  const general = $("upload-error");
  const input = $("f-audio_url");
  slot.hidden = general.hidden = true;
  input.removeAttribute("aria-invalid");
  const say = (text, where = general) => {
    where.textContent = text;
    where.hidden = false;
  };
  if (needKey(say)) return;
  const url = input.value.trim();
  $("curl").textContent = curlOf("producer/upload", { audio_url: url });
  let taskId;
  try {
    ({ task_id: taskId } = await api.upload(url));
  } catch (error) {
    const problem = error.problems?.find((p) => p.field === "audio_url");
    if (problem) {
      say(`Audio URL: ${problem.rule}`, slot);
      input.setAttribute("aria-invalid", "true");
      input.focus();
    } else say(error.message);
    return;
  }
  refreshCredits();
  try {
    received(await tasks.follow(taskId, "upload"), { task_type: "upload" });
  } catch (error) {
    // The server fetches the file in the task: "audio_url: <why>" goes beside the field too.
    const problem = /^audio_url: ([\s\S]+)$/.exec(error.body?.error || "");
    if (problem) say(`Audio URL: ${problem[1]}`, slot);
  }
  refreshCredits();
});

$("load-task-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("load-task-error");
  error.hidden = true;
  const id = $("f-load-task").value.trim();
  if (!id || needKey((text) => { error.textContent = text; error.hidden = false; })) return;
  try {
    const clips = received(await tasks.follow(id, "load", { title: id.slice(0, 8) }), {});
    if (!clips.length) throw new Error("that task has no clips (a download task?)");
    $("f-load-task").value = "";
  } catch (failure) {
    error.textContent = failure.status === 404 ? "No task with that id for this key." : failure.message;
    error.hidden = false;
  }
});

// ---- actions on the open clip ------------------------------------------------------------------------

const ACTIONS = {
  extend: (clip, { point }) => ({ task_type: upload(clip) ? "extend_upload_music" : "extend_music",
    starts_at: (point ?? Number(clip.duration)).toFixed(1), ends_at: "" }),
  replace: (clip, { region }) => ({ task_type: upload(clip) ? "replace_upload_music" : "replace_music",
    starts_at: region.start.toFixed(1), ends_at: region.end.toFixed(1) }),
  cover: (clip) => ({ task_type: "cover_music", sound: clip.sound || "", focus: "sound" }),
  variation: () => ({ task_type: "music_variation", focus: "weirdness" }),
  swap_vocals: (clip) => ({ task_type: "swap_music_vocals", lyrics: clip.lyrics || "" }),
  swap_sound: (clip) => ({ task_type: "swap_music_sound", sound: clip.sound || "", focus: "sound" }),
};
const upload = (clip) => clip.metadata?.source === "upload";

player.addEventListener("action", (event) => {
  const { kind, clip, region } = event.detail;
  if (kind === "replace" && !region) {
    $("extras-status").textContent = "Drag across the waveform (or set the region's start and end) first.";
    $("wave").focus();
    return;
  }
  const { focus, ...values } = ACTIONS[kind](clip, event.detail);
  form.set({ ...values, clip_id: clip.clip_id, title: "" });
  const target = (focus && form.field(focus)) || $("submit");
  const details = target.closest("details");
  if (details) details.open = true;
  $("compose").scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
});

// ---- the activity log --------------------------------------------------------------------------------

api.addEventListener("call", (event) => {
  const { method, url, status, text } = event.detail;
  const item = document.createElement("li");
  const code = document.createElement("span");
  code.textContent = status ? String(status) : "—";
  if (!status || status >= 400) code.className = "code-bad";
  item.append(`${method} ${url.replace(location.origin, "")} → `, code, text ? ` ${text}` : "");
  const log = $("activity");
  log.prepend(item);
  while (log.children.length > 60) log.lastChild.remove();
});

// ---- start -------------------------------------------------------------------------------------------

extras.detect();
if (apiKey) {
  $("api-key").value = apiKey;
  useKey(apiKey);
} else {
  renderLibrary();
}
window.studio = { api, form, library, player, tasks }; // for the browser tests and the curious
