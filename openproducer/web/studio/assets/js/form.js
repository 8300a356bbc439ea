// The create form: which fields each task type uses, the request body it sends, and the API's
// validation messages shown beside the field they name.

export const EXAMPLE_SOUNDS = [
  "Energetic rock anthem with distorted electric guitars, driving drums, and powerful vocals",
  "Calm ambient meditation music with soft piano, gentle strings, and nature sounds",
  "90s hip-hop beat with vinyl scratches, deep bass, and smooth jazz samples",
];

export const EXAMPLE_LYRICS = `[Verse 1]
Walking through the city lights
Feeling the rhythm of the night
Every step a new surprise
Under these electric skies

[Chorus]
We're alive, we're free tonight
Dancing till the morning light`;

// data-for groups in the page -> the task types they belong to.
const GROUPS = {
  create: ["create_music"],
  edit: ["extend_music", "replace_music", "cover_music", "music_variation", "swap_music_vocals",
    "swap_music_sound", "extend_upload_music", "replace_upload_music"],
  extend: ["extend_music", "extend_upload_music"],
  replace: ["replace_music", "replace_upload_music"],
  cover: ["cover_music"],
  swap: ["swap_music_vocals", "swap_music_sound"],
  "sound-required": ["cover_music", "swap_music_sound"],
};

const BUTTON_TEXT = {
  create_music: "Create", extend_music: "Extend", replace_music: "Replace the section", cover_music: "Cover",
  music_variation: "Make a variation", swap_music_vocals: "Swap the vocals", swap_music_sound: "Swap the sound",
  extend_upload_music: "Extend the upload", replace_upload_music: "Replace in the upload",
};

// Names a server may use for a field, mapped to the input that holds it.
const ALIASES = { strength: "cover_strength", lyrics_text: "lyrics", starts: "starts_at", ends: "ends_at" };
const NUMBERS = ["starts_at", "ends_at", "extend_s", "length", "bpm", "cover_strength", "sound_strength",
  "lyrics_strength", "weirdness"];

export class CreateForm {
  constructor(form) {
    this.form = form;
    this.taskType = this.field("task_type");
    this.generalError = form.querySelector("#form-error");
    this.submitButton = form.querySelector("#submit");
    this.taskType.addEventListener("change", () => this.showFieldsFor());
    for (const range of form.querySelectorAll('input[type="range"]')) {
      const output = form.querySelector(`#o-${range.name}`);
      const sync = () => { output.textContent = Number(range.value).toFixed(2).replace(/0$/, ""); };
      range.addEventListener("input", sync);
      sync();
    }
    form.querySelectorAll("[data-example-sound]").forEach((button) => {
      button.addEventListener("click", () => {
        this.set({ sound: EXAMPLE_SOUNDS[Number(button.dataset.exampleSound)] });
        this.field("sound").focus();
      });
    });
    form.querySelector("#example-lyrics").addEventListener("click", () => this.set({ lyrics: EXAMPLE_LYRICS }));
    form.querySelector("#clear-lyrics").addEventListener("click", () => this.set({ lyrics: "" }));
    form.querySelector("#reset-form").addEventListener("click", () => this.reset());
    // A corrected field loses its message.
    form.addEventListener("input", (event) => {
      if (event.target.name) this.clearProblem(event.target.name);
    });
    this.reset();
  }

  reset() {
    this.form.reset();
    this.set({ task_type: "create_music", sound: EXAMPLE_SOUNDS[0], lyrics: EXAMPLE_LYRICS, length: 30 });
    this.clearProblems();
  }

  /** Groups (data-for) the current task type belongs to. */
  groups(taskType = this.taskType.value) {
    return Object.keys(GROUPS).filter((group) => GROUPS[group].includes(taskType));
  }

  showFieldsFor() {
    const active = new Set(this.groups());
    for (const element of this.form.querySelectorAll("[data-for]")) {
      element.hidden = !element.dataset.for.split(" ").some((group) => active.has(group));
    }
    this.submitButton.textContent = BUTTON_TEXT[this.taskType.value] || "Create";
    this.clearProblems();
  }

  /** Fill fields by API name (task_type first, so the right fields show). */
  set(values) {
    if (values.task_type) {
      this.taskType.value = values.task_type;
      this.showFieldsFor();
    }
    for (const [name, value] of Object.entries(values)) {
      const input = this.field(name);
      if (!input || name === "task_type") continue;
      if (input.type === "checkbox") input.checked = Boolean(value);
      else input.value = value ?? "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  /** The request body: the fields the task type uses, empty ones left out (as clients do). */
  body() {
    const body = { task_type: this.taskType.value };
    for (const input of this.form.querySelectorAll("input[name], select[name], textarea[name]")) {
      if (input.name === "task_type" || input.closest("[hidden]")) continue;
      if (input.type === "checkbox") {
        if (input.checked) body[input.name] = true;
        continue;
      }
      const text = input.value.trim();
      if (text === "") continue;
      body[input.name] = NUMBERS.includes(input.name) && Number.isFinite(Number(text)) ? Number(text) : text;
    }
    if (body.make_instrumental) delete body.lyrics;
    return body;
  }

  /** The input named `name` (not form.elements[name]: "length" is a property of that collection). */
  field(name) {
    return this.form.querySelector(`[name="${CSS.escape(name)}"]`);
  }

  inputFor(field) {
    return this.field(ALIASES[field] || field);
  }

  /** Show each {field, rule} beside its field; the rest (or a hidden field's) in the form's own message. */
  showProblems(problems, fallback) {
    this.clearProblems();
    const general = [];
    let first = null;
    for (const { field, rule } of problems) {
      const input = this.inputFor(field);
      const slot = input && this.form.querySelector(`#error-${input.name}`);
      if (!slot) {
        general.push(`${field}: ${rule}`);
        continue;
      }
      const details = input.closest("details");
      if (details) details.open = true;
      if (input.closest("[hidden]")) {
        general.push(`${field}: ${rule}`);
        continue;
      }
      slot.textContent = `${labelOf(input)}: ${rule}`;
      slot.hidden = false;
      input.setAttribute("aria-invalid", "true");
      first ??= input;
    }
    if (!problems.length && fallback) general.push(fallback);
    if (general.length) {
      this.generalError.textContent = general.join(" · ");
      this.generalError.hidden = false;
    }
    (first || (general.length ? this.generalError : null))?.focus?.();
    if (!first && general.length) this.generalError.scrollIntoView({ block: "nearest" });
  }

  clearProblem(name) {
    const slot = this.form.querySelector(`#error-${CSS.escape(name)}`);
    if (slot) {
      slot.hidden = true;
      slot.textContent = "";
    }
    this.field(name)?.removeAttribute("aria-invalid");
  }

  clearProblems() {
    for (const slot of this.form.querySelectorAll(".field-error")) {
      slot.hidden = true;
      slot.textContent = "";
    }
    for (const input of this.form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  }
}

function labelOf(input) {
  const label = input.labels?.[0];
  if (!label) return input.name;
  const copy = label.cloneNode(true);
  copy.querySelectorAll("output, .req").forEach((node) => node.remove());
  return copy.textContent.trim();
}

/** The request as a curl command (the page is a live example of the API). */
export function curlOf(path, body) {
  const json = JSON.stringify(body, null, 2).replaceAll("'", "'\\''");
  const url = new URL(`api/v1/${path}`, document.baseURI);
  return `curl -s ${url} \\\n  -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\\n  -d '${json}'`;
}
