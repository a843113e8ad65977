// The one place that talks to the server: JSON in and out, the bearer token, the language.

const TOKEN_KEY = "cunjiang.token";

/** A refusal from the server: its status, machine code and message (in the user's language). */
export class ApiError extends Error {
  /** @param {number} status @param {{code?: string, message?: string}} body */
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.code || "error";
  }
}

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

/** @param {string | null} value */
export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

/**
 * @param {string} method
 * @param {string} path under /api/v1
 * @param {{body?: unknown, query?: Record<string, string>, language?: string, headers?: Record<string, string>}} [options]
 */
export async function api(method, path, { body, query, language, headers: extra } = {}) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [name, value] of Object.entries(query || {})) url.searchParams.set(name, value);
  const headers = { Accept: "application/json", ...extra };
  if (language) headers["Accept-Language"] = language.replace("_Hans", "-Hans");
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const payload = response.status === 204 ? null : await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, payload || {});
  return payload;
}
