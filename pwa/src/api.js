// The one place that talks to the server: JSON in and out (and a photo's bytes), the bearer
// token, the language.

const TOKEN_KEY = "cunjiang.token";

/**
 * A refusal from the server: its status, machine code and message (in the user's language),
 * the fields at fault (invalid input) and the cells at fault (a file with bad rows).
 */
export class ApiError extends Error {
  /** @param {number} status @param {Wire.ErrorBody} body */
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.code || "error";
    this.fields = body.fields || {};
    this.rows = body.rows || [];
  }
}

/** What went wrong, in words for the notice: the server's (in the reader's language), else the
browser's (offline: "Failed to fetch"). @param {unknown} error @returns {string} */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/** A fresh random key (an Idempotency-Key, a message id): a retried request has one effect. @returns {string} */
export function newKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** @returns {string | null} */
export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

/** @param {string | null} value @returns {void} */
export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

/** The headers every call carries: the token, the language, JSON answers.
@param {string | undefined} language @param {Record<string, string>} [extra] */
function headersFor(language, extra) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json", ...extra };
  if (language) headers["Accept-Language"] = language.replace("_Hans", "-Hans");
  if (token()) headers.Authorization = `Bearer ${token()}`;
  return headers;
}

/**
 * A JSON call: the answer's body, or an ApiError with the server's code and message.
 * @param {string} method
 * @param {string} path under /api/v1
 * @param {{body?: unknown, query?: Record<string, string | number | Array<string | number>>, language?: string, headers?: Record<string, string>}} [options]
 * @returns {Promise<unknown>} the caller says what it expects (a Wire type)
 */
export async function api(method, path, { body, query, language, headers: extra } = {}) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    for (const one of [value].flat()) url.searchParams.append(name, String(one)); // a list: name repeated
  }
  const headers = headersFor(language, extra);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const payload = response.status === 204 ? null : await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, payload || {});
  return payload;
}

/**
 * A call whose body is not JSON (the bytes of a photo): the Response itself, or an ApiError.
 * @param {string} method @param {string} url under /api/v1, or an address the server gave
 * @param {{body?: BodyInit, headers?: Record<string, string>, language?: string}} [options]
 * @returns {Promise<Response>}
 */
export async function raw(method, url, { body, headers, language } = {}) {
  const response = await fetch(new URL(url.startsWith("/api/") ? url : `/api/v1${url}`, location.origin), {
    method,
    body,
    headers: headersFor(language, headers),
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
  return response;
}

/** A stored photo as an address an <img> can show (photos need the token, which <img> cannot send).
@param {number} photoId @param {"list" | "review" | "full"} [size] @returns {Promise<string>} */
export async function photoUrl(photoId, size = "list") {
  const response = await raw("GET", `/photos/${photoId}/${size}`, { headers: { Accept: "image/webp,image/jpeg" } });
  return URL.createObjectURL(await response.blob());
}
