// The home the person is looking at (chosen on the home page, kept in localStorage) and its
// devices with their types, for the pages that work on one home.
import { useEffect, useState } from "preact/hooks";
import { get } from "./api.js";
import { deviceType } from "./spec.js";

export const HOME_KEY = "millet.home";

// The home chosen last (or `id`), else the first.
export function chooseHome(homes, id = localStorage.getItem(HOME_KEY)) {
  return homes.find((h) => h.id === id) || homes[0];
}

export function useCurrentHome() {
  const [home, setHome] = useState(null);
  const [devices, setDevices] = useState(null);
  const [error, setError] = useState("");
  useEffect(() => {
    get("/homes").then(async ({ homes }) => {
      const chosen = chooseHome(homes);
      if (!chosen) {
        setError("You have no home yet.");
        return;
      }
      setHome(chosen);
      const { devices: list } = await get(`/homes/${chosen.id}/devices`);
      const typed = await Promise.all(list.map(async (d) => ({ ...d, spec: await deviceType(d.type) })));
      setDevices(typed.sort((a, b) => a.name.localeCompare(b.name)));
    }).catch((failure) => setError(failure.message));
  }, []);
  return { home, devices, error };
}
