import { useState } from "preact/hooks";
import { html } from "../html.js";
import { signIn } from "../api.js";

export function SignIn({ onSignedIn }) {
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      await signIn(user.trim(), password);
      onSignedIn();
    } catch (failure) {
      setError(failure.status === 401 ? "Wrong user name or password." : failure.message);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <main class="sign-in">
      <form onSubmit=${submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">millet</h1>
        <p class="hint">Sign in to your homes.</p>
        <label>User name
          <input name="user" autocomplete="username" required value=${user} onInput=${(e) => setUser(e.target.value)} />
        </label>
        <label>Password
          <input name="password" type="password" autocomplete="current-password" required value=${password}
                 onInput=${(e) => setPassword(e.target.value)} />
        </label>
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <button type="submit" disabled=${busy}>${busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </main>
  `;
}
