// The public /v1 calls of skillmatch, as any platform's front end would make them.
// Paths are relative, so the page also works when a platform serves it under a prefix
// (behind its own sign-in, with its server adding the X-API-Key header).

/** An error answer of the API: HTTP status and the body's {code, message, field, details}. */
export class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (error && error.code) || "http_error";
    this.field = (error && error.field) || null;
    this.details = (error && error.details) || [];
  }
}

async function call(path, { body, signal } = {}) {
  const init = {
    method: "GET",
    headers: { Accept: "application/json" },
    signal,
    cache: "no-store",
  };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, data && data.error);
  }
  return data;
}

/** POST /v1/recommendations: the top-k programs for one worker, with reasons. */
export function recommend(worker, k, signal) {
  return call("v1/recommendations", { body: { worker, k }, signal });
}

/** POST /v1/explanations: why a program is (or is not) recommended to a worker. */
export function explain(worker, programId, signal) {
  return call("v1/explanations", { body: { worker, program_id: programId }, signal });
}

const programs = new Map();

/** GET /v1/programs/{id}: a program of the catalogue, kept per model fingerprint. */
export async function program(model, programId, signal) {
  const key = `${model} ${programId}`;
  if (!programs.has(key)) {
    const answer = await call(`v1/programs/${encodeURIComponent(programId)}`, { signal });
    programs.set(key, answer.program);
  }
  return programs.get(key);
}
