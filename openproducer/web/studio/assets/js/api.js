// The page's only way to the server: the public API, with the key the user typed.

// Relative to the page (/studio), so a server behind a path prefix works unchanged.
const API = new URL("api/v1", document.baseURI).pathname;
const NAME = /^([A-Za-z_][\w.]*): ([\s\S]+)$/;
// Several problems in one `error` are joined with "; "; a rule may itself hold "; ", so split only
// where the next part starts like "field: ".
const JOIN = /;\s+(?=[A-Za-z_][\w.]*: )/;

/** [{field, rule}] from a 400 body: its `errors` list when the server sends one, else parsed from `error`. */
export function problemsOf(body) {
  if (body && Array.isArray(body.errors)) {
    const listed = body.errors
      .filter((item) => item && typeof item.field === "string")
      .map((item) => ({ field: item.field, rule: String(item.rule ?? item.message ?? "is invalid") }));
    if (listed.length) return listed;
  }
  const text = body && typeof body.error === "string" ? body.error : "";
  return text
    .split(JOIN)
    .map((part) => NAME.exec(part.trim()))
    .filter(Boolean)
    .map((match) => ({ field: match[1], rule: match[2] }));
}

export class ApiError extends Error {
  constructor(status, body, path) {
    const text = (body && (body.error || body.message)) || `HTTP ${status}`;
    super(text);
    this.status = status;
    this.body = body || {};
    this.path = path;
    this.problems = status === 400 ? problemsOf(body) : [];
  }
}

export class TaskFailed extends Error {
  constructor(body) {
    super(body.message || body.error || "The task failed.");
    this.body = body;
  }
}

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("aborted", "AbortError"));
    }, { once: true });
  });

function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Api extends EventTarget {
  constructor(getKey) {
    super();
    this.getKey = getKey;
    this.routes = null;
  }

  /** {status, body}; 4xx/5xx throw ApiError. Every call is reported as an "call" event (the activity log). */
  async request(method, path, body, { idempotent = false } = {}) {
    const headers = { Accept: "application/json" };
    const key = this.getKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotent) headers["Idempotency-Key"] = newIdempotencyKey();
    const url = path.startsWith("/") ? path : `${API}/${path}`;
    let response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      this.report(method, url, 0, "network error");
      throw new ApiError(0, { error: `The server did not answer (${error.message}).` }, url);
    }
    let parsed = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
    this.report(method, url, response.status, summary(parsed));
    if (response.status >= 400) {
      const error = new ApiError(response.status, parsed, url);
      error.retryAfter = Number(response.headers.get("Retry-After")) || 0;
      throw error;
    }
    return { status: response.status, body: parsed };
  }

  report(method, url, status, text) {
    this.dispatchEvent(new CustomEvent("call", { detail: { method, url, status, text } }));
  }

  credits() { return this.request("GET", "get-credits").then((r) => r.body); }
  models() { return this.request("GET", "models").then((r) => r.body.data || []); }
  create(body) { return this.request("POST", "producer/create", body, { idempotent: true }).then((r) => r.body); }
  upload(audioUrl) {
    return this.request("POST", "producer/upload", { audio_url: audioUrl }, { idempotent: true }).then((r) => r.body);
  }

  /** The API paths this server has (from its OpenAPI document), to light up optional features. */
  async paths() {
    if (!this.routes) {
      this.routes = fetch(new URL("openapi.json", document.baseURI))
        .then((r) => (r.ok ? r.json() : { paths: {} }))
        .then((doc) => new Set(Object.keys(doc.paths || {})))
        .catch(() => new Set());
    }
    return this.routes;
  }

  /**
   * Poll a task until it is finished; `onProgress(body)` gets every 202 body (status, stage, progress).
   * Resolves with the 200 body; rejects with TaskFailed for a failed task. Transient errors
   * (network, 429, 5xx) back off and go on polling.
   */
  async waitTask(taskId, { onProgress, signal, pollPath = "producer/task", intervalMs = 600 } = {}) {
    let delay = intervalMs;
    for (;;) {
      let result;
      try {
        result = await this.request("GET", `${pollPath}/${encodeURIComponent(taskId)}`);
      } catch (error) {
        if (error.status === 0 || error.status === 429 || error.status >= 500) {
          await sleep(Math.max(delay, (error.retryAfter || 0) * 1000), signal);
          delay = Math.min(delay * 2, 8000);
          continue;
        }
        throw error;
      }
      const body = result.body || {};
      if (result.status === 202 || body.code === 202) {
        onProgress?.(body);
        delay = intervalMs;
        await sleep(delay, signal);
        continue;
      }
      if (body.status === "FAILED" || body.type === "failed" || body.type === "timeout") throw new TaskFailed(body);
      return body;
    }
  }
}

function summary(body) {
  if (!body || typeof body !== "object") return "";
  if (body.code === 202) return [body.status, body.stage, body.progress != null ? `${body.progress}%` : ""].filter(Boolean).join(" ");
  if (body.status === "SUCCESS") return `SUCCESS, ${(body.data || []).length} result(s)`;
  if (body.task_id) return `task ${body.task_id}`;
  if (body.error) return body.error;
  if ("credits" in body) return `credits ${body.credits} + extra ${body.extra_credits}`;
  return body.message || "";
}
