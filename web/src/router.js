// Paths without a library: millet serves index.html for the app's extension-less paths, so
// /devices/d-... opened directly or reloaded lands here too.
import { useEffect, useState } from "preact/hooks";

const listeners = new Set();

export function navigate(path) {
  if (path === location.pathname) return;
  history.pushState(null, "", path);
  for (const listener of listeners) listener(path);
}

export function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const changed = () => setPath(location.pathname);
    listeners.add(changed);
    addEventListener("popstate", changed);
    return () => {
      listeners.delete(changed);
      removeEventListener("popstate", changed);
    };
  }, []);
  return path;
}

// A link that navigates in place (and still opens in a new tab with a middle click).
export function linkProps(path) {
  return {
    href: path,
    onClick: (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      navigate(path);
    },
  };
}
