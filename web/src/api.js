// millet's HTTP API (docs/api.md) and its event stream, for the pages. The token from
// sign-in is kept in localStorage; a 401 anywhere signs the person out.

const TOKEN_KEY = "millet.token";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

let token = localStorage.getItem(TOKEN_KEY) || "";
const signedOutListeners = new Set();

export function signedIn() {
  return token !== "";
}

export function onSignedOut(listener) {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

function forget() {
  token = "";
  localStorage.removeItem(TOKEN_KEY);
  for (const listener of signedOutListeners) listener();
}

export async function request(method, path, body) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { message: text };
  }
  if (response.status === 401 && token) forget();
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

export const get = (path) => request("GET", path);

export async function signIn(user, password) {
  const answer = await request("POST", "/login", { user, password });
  token = answer.token;
  localStorage.setItem(TOKEN_KEY, token);
  return answer;
}

export async function signOut() {
  try {
    await request("POST", "/logout");
  } finally {
    forget();
  }
}

// The event stream: calls `onEvent` with each event (docs/api.md, "The event stream") and
// `onStatus` with true / false as the connection opens and drops; reconnects with a growing
// delay. Returns a function that closes it.
export function openEvents(onEvent, onStatus) {
  let socket = null;
  let closed = false;
  let delay = 500;
  let timer = null;
  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/api/v1/events?token=${encodeURIComponent(token)}`);
    socket.onopen = () => {
      delay = 500;
      onStatus(true);
    };
    socket.onmessage = (message) => {
      try {
        onEvent(JSON.parse(message.data));
      } catch {
        // not JSON: the stream only sends JSON, so ignore it
      }
    };
    socket.onclose = () => {
      onStatus(false);
      if (closed || !token) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  };
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    if (socket) socket.close();
  };
}
